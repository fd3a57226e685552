"""After Generate the person sees what happened without scrolling, whatever the screen: the
new card (whose video then plays by itself) or the upstream's refusal."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import start_console
from tests.browser.kit import give_first_frame, wait_for_video

VIEWPORTS = ((1440, 900), (390, 844), (1280, 720), (1920, 1080))


@pytest.fixture(scope="module")
def shared_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from start_console(tmp_path_factory.mktemp("in-view"))


def top_in_view(page: Page, selector: str) -> None:
    """The element's top edge (its headline) is inside the viewport."""
    top = page.eval_on_selector(selector, "e => e.getBoundingClientRect().top")
    height = page.evaluate("innerHeight")
    assert 0 <= top < height - 40, f"{selector} starts at {top:.0f} px, the screen is {height}"


def generate_from_below(page: Page, prompt: str) -> None:
    """Generate pressed where it is, after the person scrolled down to it."""
    page.fill("#promptText", prompt)
    page.evaluate("scrollTo(0, 0)")
    page.click("#generate")  # Playwright scrolls to the button first, as the person would


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_after_generate_the_card_or_the_refusal_is_in_view(
    browser: Browser, shared_console: str, tmp_path: Path, width: int, height: int
) -> None:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(shared_console)
    give_first_frame(page, tmp_path)

    generate_from_below(page, "a lake at dawn [sim:401]")
    page.wait_for_selector("#result .upstream-error:has-text('HTTP 401')")
    top_in_view(page, "#result .upstream-error")

    generate_from_below(page, "a lake at dawn")
    page.wait_for_selector("#task-card[data-task-id]")
    top_in_view(page, "#task-card")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    top_in_view(page, "#task-card")
    start = page.eval_on_selector("#task-card video", "v => v.currentTime")
    wait_for_video(page, "currentTime", start + 0.5)  # it plays, nobody pressed play
    page.context.close()
