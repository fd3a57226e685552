"""Messages and panels that follow what the person does: banners, account, key hint, inspector."""

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

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
    with page.expect_response("**/form/mode**"):  # the form is redrawn for the mode
        page.check("input[name=endpoint][value=text_to_video]")
    # Text to video has its own models: the redrawn form no longer offers gen3a_turbo.
    page.wait_for_function("() => document.querySelector('#model').value !== 'gen3a_turbo'")
    model = page.input_value("#model")
    page.wait_for_selector(f"#account:has-text('{model}:')", timeout=5000)
    with page.expect_response("**/form/mode**"):
        page.check("input[name=endpoint][value=image_to_video]")
    page.wait_for_function(  # the redrawn form is in place: no request in flight
        "() => !document.querySelector('.htmx-request')"
        " && document.querySelector('input[name=endpoint][value=image_to_video]').checked"
    )
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


def noisy_png(path: Path) -> Path:
    """A noisy 1700×1000 PNG (about 5 MB): its data URI is over Runway's 5 MB limit."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (1700, 1000), rng.randbytes(1700 * 1000 * 3))
    image.save(path, "PNG")
    return path


def visible_notes(page: Page) -> str:
    return " | ".join(page.locator("#slot-first .note:visible").all_inner_texts())


def test_a_big_frames_note_says_what_the_chosen_address_gets(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    """The official API and the simulator get such a frame as it came (an ephemeral upload);
    only a relay gets the copy shrunk to fit a data URI, so only then is the shrink noted."""
    page = watched.page
    page.goto(console_url)
    page.set_input_files(".file-input[data-position=first]", str(noisy_png(tmp_path / "big.png")))
    page.wait_for_selector("#slot-first img.thumb")
    assert "uploaded at full size" in visible_notes(page)
    assert "5 MB" not in visible_notes(page)
    page.fill("#baseUrl", "https://relay.example.com")
    page.wait_for_selector("#url-preview:has-text('relay.example.com')")
    assert "re-encoded as JPEG to fit the 5 MB limit" in visible_notes(page)
    assert "full size" not in visible_notes(page)
    page.fill("#baseUrl", "https://api.dev.runwayml.com")
    page.wait_for_selector("#url-preview:has-text('api.dev.runwayml.com')")
    assert "uploaded at full size" in visible_notes(page)
    assert watched.errors == [], watched.errors


def test_the_callback_note_is_drawn_like_the_other_field_notes(
    browser: Browser, console_url: str
) -> None:
    """The note under "Receive the callback here" (set CONSOLE_PUBLIC_URL …) is a field note, at
    the size of the one under Runs, not body text at full size right under a checkbox."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(console_url)
    page.click("details.advanced > summary")
    note = page.locator("details.advanced .field:has(input[name=notify_here]) .muted").last
    assert "CONSOLE_PUBLIC_URL" in note.inner_text()
    size = "e => getComputedStyle(e).fontSize"
    runs_note = page.locator(".field:has(#runs) .small-note")
    assert note.evaluate(size) == runs_note.evaluate(size)
    page.context.close()
