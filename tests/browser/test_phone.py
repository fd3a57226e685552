"""On a phone (390 px wide) no page scrolls sideways, with a card and history on it."""

from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.browser.kit import ARTIFACTS, Watched, give_first_frame

PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def wider_than_the_screen(page: Page) -> list[str]:
    """The elements that stick out to the right, to say what to fix."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('body *'))"
        ".filter(e => e.getBoundingClientRect().right > 390.5)"
        ".slice(0, 8).map(e => e.tagName.toLowerCase() + '.' + String(e.className))"
    )


def assert_fits(page: Page) -> None:
    assert page_width(page) <= PHONE["width"], wider_than_the_screen(page)


def run_a_task(page: Page, tmp_path: Path, prompt: str) -> None:
    give_first_frame(page, tmp_path)
    page.fill("#promptText", prompt)
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    page.wait_for_selector("#history .history-row")


def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(console_url)
    assert_fits(page)
    run_a_task(page, tmp_path, "A very long prompt " * 8)
    page.click("#task-card .inspector > summary")
    page.click("#task-card .exchange:first-child summary")
    assert_fits(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)
    page.goto(f"{console_url}/docs")
    page.wait_for_selector("#swagger-ui .opblock", timeout=15_000)
    assert_fits(page)
    assert watched.errors == [], watched.errors
    context.close()


def test_a_history_row_keeps_its_text_readable_on_a_phone(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    """Thumbnail, badge and actions side by side left the prompt and model ~70 px, broken
    mid-word ('gemin/i_ima/ge3.1'); on a phone the actions go under the row's text."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(console_url)
    run_a_task(page, tmp_path, "The lighthouse at dusk, waves below")
    row = page.locator("#history .history-row").first
    text_width = row.locator(".history-text").evaluate("e => e.getBoundingClientRect().width")
    assert text_width >= 170, text_width  # ~177 px: some 25 characters a line
    assert_fits(page)
    context.close()


def test_the_chinese_page_fits_a_phone(browser: Browser, console_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.goto(console_url)
    run_a_task(page, tmp_path, "湖面上的晨雾")
    assert_fits(page)
    page.screenshot(path=str(ARTIFACTS / "phone-zh.png"), full_page=True)
    context.close()


def test_the_login_and_admin_pages_fit_a_phone(browser: Browser, tmp_path: Path) -> None:
    from tests.browser.conftest import start_console

    for url in start_console(tmp_path, CONSOLE_PASSWORD="correct horse battery staple"):
        context = browser.new_context(viewport=PHONE, is_mobile=True)
        page = context.new_page()
        page.goto(f"{url}/login")
        assert_fits(page)
        page.fill("input[name=password]", "correct horse battery staple")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{url}/admin")
        page.wait_for_selector("h1")
        assert page.url.endswith("/admin"), page.url
        assert_fits(page)
        context.close()
