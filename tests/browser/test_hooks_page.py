"""A person receives a relay's callback from the page: the built-in simulator calls the
console's receiver, the inspector lists the delivery, and the relay check reports it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.kit import ARTIFACTS, Watched, frame_file
from tests.helpers import free_port, live_process


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    """A console whose CONSOLE_PUBLIC_URL is its own loopback address, in a desktop window."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "CONSOLE_DATA_DIR": str(tmp_path / "data"),
        "CONSOLE_SIMULATOR_SPEED": "2",
        "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.5",
        "CONSOLE_POLL_INTERVAL_S": "0.5",
        "CONSOLE_PUBLIC_URL": url,
    }
    with live_process(["serve", "--port", str(port)], env, port, tmp_path / "console.log"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        watched = Watched(context.new_page())
        watched.page.goto(url)
        yield watched.page
        assert watched.errors == [], watched.errors
        context.close()


def test_the_inspector_lists_the_callback(page: Page, tmp_path: Path) -> None:
    page.set_input_files(".file-input[data-position=first]", str(frame_file(tmp_path)))
    page.wait_for_selector("#slot-first img.thumb")
    page.fill("#promptText", "a lighthouse at dusk, slow push in")
    page.click(".advanced > summary")
    assert "only the built-in simulator and relays on this machine" in page.inner_text(".advanced")
    page.check("input[name=notify_here]")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    page.click("#task-card .inspector > summary")
    delivery = page.wait_for_selector("#task-card .hook-deliveries li.exchange", timeout=15_000)
    assert "SUCCEEDED" in delivery.inner_text()
    page.click("#task-card .hook-deliveries li.exchange summary")
    assert '"status": "SUCCEEDED"' in page.inner_text("#task-card .hook-deliveries")
    page.locator("#task-card .hook-deliveries").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "hook-delivery.png"))


def test_the_relay_check_reports_the_callback(page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    page.check("#relay-check-hook")
    page.click("button:has-text('…with a real tiny task')")
    line = page.wait_for_selector(
        "#relay-report li:has-text('The callback arrives')", timeout=60_000
    )
    assert "verdict-ok" in (line.get_attribute("class") or "")
    assert "1 delivery" in line.inner_text()
    page.locator("#relay-report").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "relay-check-callback.png"))
