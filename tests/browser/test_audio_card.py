"""Audio made from the page, as a person makes it: a speech task and a sound effect play in the
card's audio player (its position moves), the waveform is drawn from the file, the length is
shown, the history row carries the audio mark; screenshots of an audio card on a desktop, a
phone and in Chinese into /tmp/wa/ (and test-artifacts/)."""

from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.browser.kit import ARTIFACTS, Watched, axe_violations

SHOTS = Path("/tmp/wa")


MODELS = {"text_to_speech": "eleven_multilingual_v2", "sound_effect": "eleven_text_to_sound_v2"}


def _make(page: Page, endpoint: str, prompt: str) -> None:
    page.check(f"input[name=endpoint][value={endpoint}]")
    page.wait_for_function(
        "m => document.querySelector('#model').value === m", arg=MODELS[endpoint]
    )
    page.fill("#promptText", prompt)
    before = page.evaluate("() => document.querySelector('#task-card')?.dataset.taskId || ''")
    page.click("#generate")
    # The previous task's card stays until the new one is drawn: wait for this task's card.
    page.wait_for_function(
        "before => { const c = document.querySelector('#task-card');"
        " return c && c.dataset.taskId && c.dataset.taskId !== before"
        " && c.querySelector('.badge[data-status=SUCCEEDED]') }",
        arg=before,
        timeout=60_000,
    )


def _plays(page: Page) -> None:
    """The player plays (its position moves), its length is shown, its waveform drawn."""
    # The card is drawn again once the copy is saved here; play the card a person then sees.
    page.wait_for_selector("#task-card .video-state.saved", timeout=60_000)
    player = page.locator("#task-card audio.audio-player")
    page.wait_for_function(
        "() => { const a = document.querySelector('#task-card audio.audio-player');"
        " return a && a.readyState >= 2 }",
        timeout=30_000,
    )
    player.evaluate("a => a.play()")
    page.wait_for_function(
        "() => { const a = document.querySelector('#task-card audio.audio-player');"
        " return a && a.currentTime > 0.3 }",
        timeout=15_000,
    )
    page.wait_for_selector("#task-card canvas.waveform[data-peaks]", timeout=15_000)
    # The length is read from the file's metadata once it loads, as a person sees it appear.
    page.wait_for_function(
        "() => { const d = document.querySelector('#task-card [data-audio-duration]');"
        " return d && d.textContent.includes(':') && !d.textContent.includes('–') }",
        timeout=15_000,
    )


def test_a_speech_task_and_a_sound_effect_play(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    _make(page, "text_to_speech", "Welcome to the console. This voice is made of tones.")
    _plays(page)
    assert page.get_attribute("#task-card a[download]", "download").endswith(".mp3")
    _make(page, "sound_effect", "rain on a tin roof, then thunder")
    _plays(page)
    page.wait_for_selector("#history .history-row[data-output=audio] .audio-mark")
    assert page.locator("#history .history-row[data-output=audio]").count() == 2
    assert watched.errors == [], watched.errors
    SHOTS.mkdir(exist_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    for folder in (SHOTS, ARTIFACTS):
        page.locator("#task-card").screenshot(path=str(folder / "audio-card-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#task-card").scroll_into_view_if_needed()
    fits = "e => e.scrollWidth <= e.clientWidth + 1"  # the player once pushed it 9 px wider
    assert page.locator("#task-card").evaluate(fits), "the card's content fits a phone"
    for folder in (SHOTS, ARTIFACTS):
        page.screenshot(path=str(folder / "audio-card-phone.png"), full_page=True)
    # Last: axe's own checks set inline styles, which the page's CSP reports as errors.
    assert axe_violations(page) == []


def test_an_audio_card_in_chinese(browser: Browser, console_url: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(console_url)
    _make(page, "text_to_speech", "你好，欢迎使用。")
    _plays(page)
    assert "音频" in page.inner_text("#history .history-row[data-output=audio]")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "audio-card-zh.png"), full_page=False)
    assert watched.errors == [], watched.errors
    context.close()
