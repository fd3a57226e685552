"""No console errors: the page's own CSP (style-src 'self') is never violated by its scripts."""

from pathlib import Path

from playwright.sync_api import Browser

from tests.browser.kit import give_first_frame


def test_a_form_swapped_after_a_screenshot_applies_no_inline_style(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    """A screenshot leaves `style=""` on the form's fields (Playwright hides the caret so), as
    an extension may; htmx used to copy that onto the swapped-in fields as it settled them,
    eight CSP errors per Generate. The session-wide check (conftest) fails the test on one."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(console_url)
        page.screenshot()
        page.click("#generate")  # refused: no frame, no prompt; the form comes back
        page.wait_for_selector(".form-alert")
        give_first_frame(page, tmp_path)
        page.fill("#promptText", "a lake at dawn [sim:401]")
        page.click("#generate")  # the refusal card, and the form again out of band
        page.wait_for_selector("#result .upstream-error")
    page.context.close()
