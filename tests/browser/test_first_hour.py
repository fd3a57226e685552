"""Friction a new user met in the first hour: no picture at hand, code copied blind, and a
side-by-side group spread over several history rows."""

from pathlib import Path

from playwright.sync_api import Browser

from tests.browser.kit import Watched, frame_file


def test_a_sample_frame_is_one_click_away(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.click("#slot-first .sample-pick >> nth=0")
    page.wait_for_selector("#slot-first img.thumb")
    assert "1280×768" in page.inner_text("#slot-first .meta")
    assert page.input_value("#promptText").startswith("A slow dolly forward"), "its prompt too"
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    assert watched.errors == [], watched.errors


def test_a_sample_leaves_a_written_prompt_alone(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.fill("#promptText", "my own words")
    page.click("#slot-first .sample-pick >> nth=1")
    page.wait_for_selector("#slot-first img.thumb")
    assert page.input_value("#promptText") == "my own words"


def test_copy_as_code_shows_the_code_before_copying_it(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(console_url)
    page.set_input_files(".file-input[data-position=first]", str(frame_file(tmp_path)))
    page.wait_for_selector("#slot-first img.thumb")
    page.fill("#promptText", "show me the code")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    page.click("#task-card .inspector > summary")
    page.evaluate("navigator.clipboard.writeText('untouched')")
    page.click("#task-card [data-lang=python]")
    preview = page.locator("#task-card .code-preview .code-text")
    preview.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('#task-card .code-text').textContent.includes('import httpx')"
    )
    shown = preview.inner_text()
    assert "RUNWAYML_API_SECRET" in shown and "show me the code" in shown
    assert "KB)" in shown and len(shown) < 5000, "the frame's data URI is shortened in the view"
    assert page.evaluate("navigator.clipboard.readText()") == "untouched", "nothing copied yet"
    page.check("#task-card input[value=masked]")
    page.wait_for_function(
        "() => !document.querySelector('#task-card .code-text')"
        ".textContent.includes('RUNWAYML_API_SECRET')"
    )
    page.click("#task-card [data-copy-code]")
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "import httpx" in copied and "RUNWAYML_API_SECRET" not in copied
    assert "data:image/png;base64,iVBOR" in copied and "KB)" not in copied, "the copy is whole"
    assert watched.errors == [], watched.errors
    context.close()


def test_a_side_by_side_group_is_one_history_row_that_opens_the_grid(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "three seeds")
    page.fill("#runs", "3")
    page.click("#generate")
    page.wait_for_selector(".group-grid .task-card")
    page.fill("#promptText", "a lone run")
    page.fill("#runs", "1")
    page.click("#generate")
    page.wait_for_selector("#task-card")
    page.wait_for_selector("#history .history-row[data-task-id]")
    rows = page.locator("#history .history-row")
    assert rows.count() == 2, page.inner_text("#history")
    group = page.locator("#history .history-row.history-group")
    assert "3 runs" in group.inner_text()
    group.locator(".history-link").click()
    page.wait_for_selector("#result .group-grid")
    assert page.locator("#result .group-grid .task-card").count() == 3
    assert "?group=" in page.url
    assert watched.errors == [], watched.errors
