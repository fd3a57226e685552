"""A relay that does not answer is not said to have refused; https to a plain-http port is
named as such, with http:// offered."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import start_console
from tests.browser.kit import give_first_frame
from tests.helpers import free_port


@pytest.fixture
def private_console(tmp_path: Path) -> Iterator[str]:
    """A console allowed to call loopback relays (its own port speaks plain http)."""
    yield from start_console(tmp_path, CONSOLE_ALLOW_PRIVATE_UPSTREAMS="true")


def generate_at(page: Page, address: str) -> str:
    """Generate against `address`; the refusal card's text."""
    page.fill("#baseUrl", address)
    page.dispatch_event("#baseUrl", "change")
    page.fill("#promptText", "a lake at dawn")
    page.evaluate("document.querySelector('#result').replaceChildren()")  # the last card goes
    page.click("#generate")
    card = page.wait_for_selector("#result .upstream-error:not(:has-text('HTTP 4'))")
    page.wait_for_selector("#generate:not([disabled])")
    return card.inner_text()


def test_nothing_answering_and_plain_http_are_said_so(
    browser: Browser, private_console: str, tmp_path: Path
) -> None:
    closed = f"127.0.0.1:{free_port()}"
    plain = private_console.removeprefix("http://")  # the console's own port: plain http
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(private_console)
        give_first_frame(page, tmp_path)

        text = generate_at(page, f"http://{closed}")
        assert "Nothing answered" in text and "refused" not in text, text
        assert "ConnectError" not in text, text
        assert page.locator("#result [data-preset]").count() == 0  # http already

        text = generate_at(page, closed)  # no scheme: https was assumed
        assert "Nothing answered" in text and "https://" in text, text
        assert page.locator(f"#result button[data-preset='http://{closed}']").is_visible()

        text = generate_at(page, plain)
        assert "plain http" in text and "refused" not in text, text
        page.click(f"#result button[data-preset='http://{plain}']")
        assert page.input_value("#baseUrl") == f"http://{plain}"
    page.context.close()
