"""The demo page as a sales person and a customer use it, in headless Debian Chromium."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import start_console
from tests.browser.kit import Watched, axe_violations, frame_file
from tests.helpers import ROOT

PASSWORD = "demo-rehearsal-pw"
SHARE_SECONDS = 25
# Whatever would show how the console works; the page's whole text must hold none of these.
INTERNAL = re.compile(
    r"\[sim:|simulator|credit|\$|runwayml|api\.dev|openai|x-runway|bearer|inspector|"
    r"task id|PENDING|RUNNING|SUCCEEDED|THROTTLED|gen3a|gen4|json api",
    re.IGNORECASE,
)


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[str]:
    yield from start_console(
        tmp_path, CONSOLE_PASSWORD=PASSWORD, CONSOLE_SHARE_DAYS=str(SHARE_SECONDS / 86400)
    )


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/demo")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{url}/demo")


def video_plays_by_itself(page: Page, timeout_s: float = 20) -> None:
    """readyState ≥ 2 and currentTime advancing, with nobody pressing play."""
    video = page.locator("video").first
    deadline = time.monotonic() + timeout_s
    while video.evaluate("v => v.readyState") < 2:
        assert time.monotonic() < deadline, "the video never loaded"
        page.wait_for_timeout(100)
    start = video.evaluate("v => v.currentTime")
    while video.evaluate("v => v.currentTime") <= start:
        assert time.monotonic() < deadline, "the video does not play by itself"
        page.wait_for_timeout(100)
    assert video.evaluate("v => v.muted && v.loop && !v.paused")


def internal_text(page: Page, *secrets: str) -> list[str]:
    text = page.locator("body").inner_text()
    return INTERNAL.findall(text) + [s for s in secrets if s and s in text]


def result_key(page: Page) -> str:
    return page.locator(".strip-item").first.get_attribute("hx-get").rsplit("/", 1)[1]


@pytest.mark.console_errors_expected("status of 410 (Gone)")  # an expired link, on purpose
def test_a_sample_plays_by_itself_and_its_link_opens_expires_and_is_revoked(
    browser: Browser, demo_url: str
) -> None:
    watched = Watched(browser.new_context(viewport={"width": 1440, "height": 900}).new_page())
    page = watched.page
    log_in(page, demo_url)
    page.get_by_role("button", name="Sample: Harbour at dawn").click()
    page.get_by_role("button", name="Animate").click()
    page.wait_for_selector("#stage[data-phase=working] .tick")
    assert not internal_text(page)
    page.wait_for_selector("#stage[data-phase=ready]", timeout=40_000)
    video_plays_by_itself(page)
    assert page.locator("#stage .badge.simulated").inner_text().lower() == "simulated"
    key = result_key(page)
    assert not internal_text(page, key, PASSWORD)
    page.get_by_role("button", name="Before and after").click()
    assert page.locator("#player .before img").is_visible()
    assert not watched.errors, watched.errors

    page.get_by_role("button", name="Share link").click()
    link = page.locator("#share-url").input_value()
    assert key not in link
    customer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    customer.goto(link)
    video_plays_by_itself(customer)
    assert "harbour at dawn" in customer.locator("blockquote").inner_text().lower()
    assert customer.locator("img").first.evaluate("i => i.naturalWidth") == 1280
    assert not internal_text(customer, key)

    page.get_by_role("button", name="Stop sharing").click()
    page.wait_for_selector("text=The link no longer opens.")
    customer.goto(link)
    assert "no longer shared" in customer.locator("body").inner_text()
    assert customer.locator("video").count() == 0

    page.get_by_role("button", name="Share link").click()
    fresh = page.locator("#share-url").input_value()
    made = time.monotonic()
    customer.goto(fresh)
    video_plays_by_itself(customer)
    customer.wait_for_timeout(max(0.0, SHARE_SECONDS + 1 - (time.monotonic() - made)) * 1000)
    customer.goto(fresh)
    assert "expired" in customer.locator("body").inner_text()
    assert customer.locator("video").count() == 0
    customer.context.close()
    page.context.close()


def test_the_keyboard_reaches_every_control_and_a_scenario_fails_calmly(
    browser: Browser, demo_url: str
) -> None:
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    log_in(page, demo_url)
    reached = []
    for _ in range(16):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "document.activeElement.getAttribute('aria-label') || document.activeElement.id"
            )
        )
    assert "Sample: City at night" in reached and "animate" in reached and "own-file" in reached
    page.get_by_role("button", name="Sample: City at night").focus()
    page.keyboard.press("Enter")
    assert (
        page.get_by_role("button", name="Sample: City at night").get_attribute("aria-pressed")
        == "true"
    )
    page.locator(".presenter > summary").click()  # the presenter's corner, closed to the customer
    page.select_option("#scenario", label="Content moderation")
    page.locator("#animate").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#stage[data-phase=failed]", timeout=40_000)
    assert "Content moderation declined" in page.locator("#stage").inner_text()
    assert not internal_text(page)
    assert axe_violations(page) == []
    page.context.close()


def test_the_chinese_page_and_a_phone_are_clean(browser: Browser, demo_url: str) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, demo_url)  # the login page follows the browser's language too
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("#animate").inner_text() == "生成动画"
    assert page.get_by_role("button", name="示例：黎明的港湾").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    assert axe_violations(page) == []
    context.close()


@pytest.fixture
def one_video_demo(tmp_path: Path) -> Iterator[str]:
    """A demo whose sessions, and each client address, may make one 5 s video a day."""
    yield from start_console(tmp_path, CONSOLE_PASSWORD=PASSWORD, CONSOLE_DEMO_CREDITS="25")


def animate_sample(page: Page, sample: str) -> None:
    page.get_by_role("button", name=sample).click()
    page.locator("#animate").click()


def test_a_new_cookie_starts_no_new_allowance_and_the_page_says_so(
    browser: Browser, one_video_demo: str
) -> None:
    """Issue 22: a fresh browser (a new demo cookie) from the same address is told, in its
    language, that the demo is done for today; nothing internal shows."""
    first = Watched(browser.new_context(viewport={"width": 1440, "height": 900}).new_page())
    log_in(first.page, one_video_demo)
    animate_sample(first.page, "Sample: Harbour at dawn")
    first.page.wait_for_selector("#stage[data-phase=working]")
    animate_sample(first.page, "Sample: City at night")
    first.page.wait_for_selector("#notice:has-text('used today\\'s allowance')")
    first.page.context.close()

    shots = ROOT / "test-artifacts" / "demo-caps"
    shots.mkdir(parents=True, exist_ok=True)
    fresh = Watched(browser.new_context(viewport={"width": 1440, "height": 900}).new_page())
    log_in(fresh.page, one_video_demo)
    animate_sample(fresh.page, "Sample: Harbour at dawn")
    notice = fresh.page.locator("#notice")
    notice.filter(has_text="The demo has made all the videos it can today").wait_for()
    assert notice.is_visible() and not internal_text(fresh.page)
    assert fresh.page.locator("#stage[data-phase=working]").count() == 0
    assert axe_violations(fresh.page) == []
    fresh.page.screenshot(path=shots / "desktop.png")
    assert not fresh.errors, fresh.errors
    fresh.page.context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    chinese = Watched(phone.new_page())
    log_in(chinese.page, one_video_demo)
    said = chinese.page.locator("#notice").filter(has_text="演示今天能制作的视频已全部用完")
    assert said.is_visible()  # on the page as it opens, before anyone presses Animate
    animate_sample(chinese.page, "示例：黎明的港湾")
    said.wait_for()
    assert chinese.page.evaluate("document.documentElement.scrollWidth") <= 390
    chinese.page.screenshot(path=shots / "phone-zh.png", full_page=True)
    assert not chinese.errors, chinese.errors
    phone.close()


def test_a_rehearsal_shows_one_outcome_and_an_own_picture_drops_the_samples_prompt(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    """Busy after moderation: the busy message alone, no moderation overlay left on the stage.
    The customer's own picture does not keep the prompt written for the sample before it."""
    own = frame_file(tmp_path, "mine.png", color=(200, 90, 40))
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{console_url}/demo")
        page.locator(".presenter > summary").click()  # the presenter's corner
        page.select_option("#scenario", label="Content moderation")
        page.get_by_role("button", name="Animate").click()
        page.wait_for_selector("#stage[data-phase=failed]", timeout=40_000)
        page.select_option("#scenario", label="Busy service")
        page.get_by_role("button", name="Animate").click()
        page.wait_for_selector("#notice:has-text('busy')")
        assert "moderation" not in page.locator("#stage").inner_text().lower()
        assert page.locator("#stage").get_attribute("data-phase") == "idle"

        sample = page.get_by_role("button", name="Sample: City at night")
        sample.click()
        sample_prompt = sample.get_attribute("data-prompt")
        assert page.input_value("#prompt") == sample_prompt
        page.set_input_files("#own-file", str(own))
        page.wait_for_selector("#own-status:has-text('ready')")
        prompt = page.input_value("#prompt")
        assert prompt and prompt != sample_prompt, prompt
    page.context.close()


def test_the_presenters_corner_stays_where_it_was_opened(
    browser: Browser, console_url: str
) -> None:
    """The "⋯" that opens the rehearsals does not jump across the panel when it opens, so the
    presenter closes it where they opened it (it sat right, then moved to the far left)."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{console_url}/demo")
        corner = page.locator(".presenter > summary")
        closed = corner.bounding_box()
        corner.click()
        page.wait_for_selector("#scenario", state="visible")
        opened = corner.bounding_box()
        assert closed and opened
        assert abs(opened["x"] - closed["x"]) <= 1, (width, closed, opened)
        label = page.locator("label[for=scenario]").bounding_box()
        select = page.locator("#scenario").bounding_box()
        assert label and select and abs(label["x"] - select["x"]) <= 1  # the menu reads left
        corner.click()
        assert not page.locator("#scenario").is_visible()
    page.context.close()
