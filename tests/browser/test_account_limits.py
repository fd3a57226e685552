"""The simulator's books seen in the page: a task beyond the tier's concurrency waits THROTTLED
and its card says why; an empty balance is named in the account panel before Generate, and
Generate then shows Runway's own refusal. The account is set through the simulator's switch."""

import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from app.runway.client import SIMULATOR_ANONYMOUS_KEY
from tests.browser.kit import give_first_frame

WORDS = {
    "en": ("Waiting for a free slot", "Out of credits"),
    "zh-CN": ("等待空闲名额", "积分不足"),
}
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "/tmp/h7"))


def switch(console_url: str, **values: object) -> None:
    """Set the page's account (no key typed: the simulator's anonymous key) in the simulator."""
    answer = httpx.post(
        f"{console_url}/simulator/_sim/account",
        json=values,
        headers={"Authorization": f"Bearer {SIMULATOR_ANONYMOUS_KEY}"},
    )
    assert answer.status_code == 200, answer.text


def generate(page: Page, prompt: str) -> str:
    page.fill("#promptText", prompt)
    page.click("#generate")
    page.wait_for_selector(f"#task-card:has-text('{prompt}')")
    return page.get_attribute("#task-card", "data-task-id") or ""


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_throttled_card_and_an_empty_balance_say_why(
    browser: Browser, console_url: str, tmp_path: Path, locale: str
) -> None:
    waiting, empty = WORDS[locale]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    switch(console_url, maxConcurrentGenerations=1)
    page.goto(console_url)
    give_first_frame(page, tmp_path)
    generate(page, "the first one [sim:slow]")
    generate(page, "the second one")
    page.wait_for_selector("#task-card .badge[data-status=THROTTLED]")
    card = page.inner_text("#task-card")
    assert waiting in card and "gen3a_turbo" in card, card
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"throttled-{locale}.png"), full_page=True)

    switch(console_url, creditBalance=10)
    # The panel asks again on the events it listens to (a key typed, a task made, …).
    page.evaluate("htmx.trigger(document.body, 'keyChanged')")
    page.wait_for_selector("#account .account-refusal:has-text('gen3a_turbo')")
    panel = page.inner_text("#account")
    assert empty in panel and "10" in panel, panel
    page.screenshot(path=str(SHOTS / f"out-of-credits-{locale}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"out-of-credits-{locale}-phone.png"), full_page=True)
    page.click("#generate")
    page.wait_for_selector("text=You do not have enough credits to run this task.")
    assert errors == [], errors
    context.close()
