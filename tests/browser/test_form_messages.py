"""Messages and panels that follow what the person does: banners, account, key hint, inspector."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import start_console
from tests.browser.kit import Watched, give_first_frame


def test_the_banner_names_the_visible_labels_and_clears_when_fixed(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(console_url)
    page.fill("#seed", "12abc")
    page.click("#generate")
    page.wait_for_selector(".form-alert")
    banner = page.inner_text(".form-alert")
    assert "首帧" in banner and "种子" in banner and "提示词" in banner, banner
    assert "first" not in banner and "seed" not in banner and "prompt" not in banner, banner
    give_first_frame(page, tmp_path)
    assert "首帧" not in page.inner_text(".form-alert")
    page.fill("#seed", "12")
    remaining = page.inner_text(".form-alert")
    assert "种子" not in remaining and "提示词" in remaining, remaining
    page.fill("#promptText", "湖面上的晨雾")
    page.wait_for_selector(".form-alert", state="detached", timeout=2000)
    assert not page.is_visible("[data-error-for=seed]")
    context.close()


@pytest.fixture
def guarded_console(tmp_path: Path) -> Iterator[str]:
    """A console that calls only one address of its operator's, so choosing the relay example
    is refused before any DNS lookup: nothing leaves this machine."""
    yield from start_console(tmp_path, CONSOLE_ALLOWED_UPSTREAMS="https://only-this-one.invalid")


def test_the_relay_example_refreshes_the_account_and_the_key_hint(
    watched: Watched, guarded_console: str
) -> None:
    page = watched.page
    page.goto(guarded_console)
    page.wait_for_selector("#account .account-balance")
    assert "simulator" in page.get_attribute("#api-key", "placeholder")
    page.click("button[data-preset='https://api.openai-hk.com']")
    page.wait_for_selector("#account:not(:has(.account-balance))", timeout=5000)
    assert "simulator" not in page.get_attribute("#api-key", "placeholder")
    page.click("button[data-preset='simulator']")
    page.wait_for_selector("#account .account-balance", timeout=5000)
    assert "simulator" in page.get_attribute("#api-key", "placeholder")


def test_the_account_panel_follows_the_model(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.wait_for_selector("#account:has-text('gen3a_turbo:')")
    for model in ("gen4_turbo", "gen3a_turbo", "gen4_turbo"):
        page.select_option("#model", model)
        page.wait_for_selector(f"#account:has-text('{model}:')", timeout=5000)
    assert watched.errors == [], watched.errors


def test_the_account_panel_follows_the_mode_and_its_model(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.wait_for_selector("#account:has-text('gen3a_turbo:')")
    page.check("input[name=endpoint][value=text_to_video]")
    page.wait_for_selector("input[name=endpoint][value=text_to_video]:checked")
    model = page.input_value("#model")
    assert model != "gen3a_turbo", "text to video has its own models"
    page.wait_for_selector(f"#account:has-text('{model}:')", timeout=5000)
    page.check("input[name=endpoint][value=image_to_video]")
    page.wait_for_selector("input[name=endpoint][value=image_to_video]:checked")
    back = page.input_value("#model")
    page.wait_for_selector(f"#account:has-text('{back}:')", timeout=5000)
    assert watched.errors == [], watched.errors


def test_the_inspector_shows_the_whole_request_body(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(console_url)
    give_first_frame(page, tmp_path)
    page.fill("#promptText", "A long prompt that the inspector must show in full " * 6)
    page.fill("#seed", "4294967295")
    page.click("#generate")
    page.wait_for_selector("#task-card .inspector")
    page.click("#task-card .inspector > summary")
    page.click("#task-card .exchange:first-child summary")
    body = page.locator("#task-card .exchange:first-child pre.body >> nth=1")
    assert '"duration": 5' in body.inner_text()
    hidden = body.evaluate("e => e.scrollHeight - e.clientHeight")
    assert hidden <= 1, f"{hidden} px of the request body are cut off"
