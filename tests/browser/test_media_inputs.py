"""The form's media fields and "Use as input", as a person uses them: a video-to-video task from a
picked file and an Act-Two task from "Use as input" and a dropped file both play (the video's
currentTime advances); a keyframe set under Advanced reaches the request; the widget is keyboard
reachable and axe-clean. Screenshots (desktop, phone, Chinese) go to /tmp/wm/."""

import time
from pathlib import Path

from playwright.sync_api import Browser, FileChooser, Page

from tests.browser.kit import Watched, axe_violations, wait_for_video
from tests.browser.test_schema_modes import _video_output
from tests.gateway.test_console_sdk import small_mp4

SHOTS = Path("/tmp/wm")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(small_mp4())
    return path


def _uploaded(page: Page, path: str) -> str:
    """Wait for the field to come back holding its upload's runway:// URI."""
    selector = f"input[name='s.{path}'][value^='runway://']"
    page.wait_for_selector(selector, timeout=30_000)
    return page.get_attribute(selector, "value") or ""


def _drop(page: Page, target: str, path: Path, media_type: str) -> None:
    """Drop a file on an element as a person dragging it from their desktop does."""
    data = page.evaluate_handle(
        "([bytes, name, type]) => { const dt = new DataTransfer();"
        " dt.items.add(new File([new Uint8Array(bytes)], name, {type})); return dt; }",
        [list(path.read_bytes()), path.name, media_type],
    )
    page.dispatch_event(target, "dragover", {"dataTransfer": data})
    page.dispatch_event(target, "drop", {"dataTransfer": data})


def _plays(page: Page) -> None:
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=90_000)
    wait_for_video(page, "currentTime", 0.2, timeout_s=30)


def test_a_video_to_video_task_from_a_picked_file_plays(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(console_url)
    page.check("input[name=endpoint][value=video_to_video]")
    field = ".media-field[data-path=videoUri]"
    page.wait_for_selector(field)
    page.set_input_files(f"{field} .media-file", str(_clip(tmp_path)))
    assert _uploaded(page, "videoUri").startswith("runway://uploads/")
    assert "clip.mp4" in page.inner_text(f"{field} .media-note")
    page.fill("#promptText", "the same, in winter")
    page.click("#generate")
    _plays(page)
    sent = page.request.get(f"{console_url}/api/tasks").json()["tasks"][0]
    assert sent["endpoint"] == "video_to_video" and sent["model"] == "aleph2"
    assert watched.errors == [], watched.errors


def test_an_act_two_task_from_use_as_input_and_a_dropped_file_plays(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.set_viewport_size(DESKTOP)
    page.goto(console_url)
    source = _video_output(page, console_url)
    page.goto(console_url)
    row = page.locator("#history .history-row").first
    row.locator("details.use-as-input summary").click()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "use-as-input-desktop.png"), caret="initial")
    row.locator("button", has_text="Act-Two").click()
    page.wait_for_selector("input[name=endpoint][value=character_performance]:checked")
    character = page.input_value("input[name='s.character.uri']")
    assert source.endswith(character) and character
    assert page.input_value("select[name='s.character.type']") == "video"
    _drop(page, ".media-field[data-path='reference.uri'] .media-drop", _clip(tmp_path), "video/mp4")
    assert _uploaded(page, "reference.uri").startswith("runway://")
    page.locator(".media-field[data-path='reference.uri']").screenshot(
        path=str(SHOTS / "media-field-desktop.png"), caret="initial"
    )
    page.click("#generate")
    _plays(page)
    assert watched.errors == [], watched.errors


def test_a_keyframe_under_advanced_reaches_the_request(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.check("input[name=endpoint][value=video_to_video]")
    page.wait_for_selector("input[name='s.videoUri']")
    page.fill("input[name='s.videoUri']", "https://example.com/in.mp4")
    page.click("details.schema-advanced summary")
    page.fill("input[name='s.keyframes.0.uri']", "https://example.com/snow.png")
    page.fill("input[name='s.keyframes.0.at']", "0.5")
    page.select_option("select[name='s.contentModeration.publicFigureThreshold']", "low")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge", timeout=30_000)
    task_id = page.get_attribute("#task-card", "data-task-id")
    code = page.request.get(f"{console_url}/tasks/{task_id}/code/curl").text()
    assert '"keyframes": [{"uri": "https://example.com/snow.png", "at": 0.5}]' in code
    assert '"contentModeration": {"publicFigureThreshold": "low"}' in code
    assert watched.errors == [], watched.errors


def test_a_wrong_file_is_refused_naming_the_field_before_it_is_sent(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    """The page checks the kind itself: no request leaves; the error names the schema's field
    and takes focus; the drop zone opens the chooser from the keyboard; axe finds nothing."""
    page = watched.page
    # Listening before the page loads turns Chromium's chooser interception on in good time: a
    # listener added just before the key press raced it under load and the event never came.
    choosers: list[FileChooser] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto(console_url)
    page.check("input[name=endpoint][value=image_upscale]")
    field = ".media-field[data-path=imageUri]"
    page.wait_for_selector(field)
    uploads_before = len([u for u in watched.requests if "/form/media" in u])
    page.set_input_files(f"{field} .media-file", str(_clip(tmp_path)))
    error = page.locator(f"{field} .error-text")
    assert error.inner_text() == "imageUri: must be an image"
    assert page.evaluate("document.activeElement.classList.contains('error-text')")
    assert len([u for u in watched.requests if "/form/media" in u]) == uploads_before
    page.focus(f"{field} .media-drop")
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 15
    while not choosers and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets the chooser's event come in
    assert len(choosers) == 1, "Enter on the drop zone opens the file chooser"
    assert choosers[0].element.get_attribute("accept").startswith("image/jpeg")
    page.click(f"{field} details.media-outputs summary")
    page.wait_for_selector(f"{field} .media-output-list p")
    assert watched.errors == [], watched.errors
    assert axe_violations(page) == []


def _make_picker_shots(page: Page, name: str) -> None:
    page.check("input[name=endpoint][value=video_to_video]")
    page.wait_for_selector(".media-field[data-path=videoUri]")
    page.locator(".mode-groups").screenshot(path=str(SHOTS / f"make-{name}.png"), caret="initial")
    page.locator("#gen-form").screenshot(path=str(SHOTS / f"form-{name}.png"), caret="initial")


def test_screenshots_desktop_phone_and_chinese(browser: Browser, console_url: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for name, viewport, locale in (
        ("desktop", DESKTOP, "en-US"),
        ("phone", PHONE, "en-US"),
        ("zh", DESKTOP, "zh-CN"),
    ):
        context = browser.new_context(viewport=viewport, locale=locale, is_mobile=name == "phone")
        watched = Watched(context.new_page())
        page = watched.page
        page.goto(console_url)
        _make_picker_shots(page, name)
        source = _video_output(page, console_url)
        assert source
        page.goto(console_url)
        page.locator("#history .history-row").first.locator("details.use-as-input summary").click()
        page.screenshot(path=str(SHOTS / f"use-as-input-{name}.png"), full_page=name == "phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className"
            " + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
        )
        assert width <= viewport["width"], (name, width, wide)
        assert watched.errors == [], (name, watched.errors)
        context.close()


def test_an_output_whose_link_may_have_expired_goes_in_as_its_saved_copy(
    watched: Watched, console_url: str
) -> None:
    """Links signed to expire within app/web/handoff.py's margin: "From a previous task" sends
    the console's copy up, and the field holds its runway:// URI, not the upstream's link."""
    page = watched.page
    page.set_viewport_size(DESKTOP)
    faults = f"{console_url}/simulator/_sim/faults"
    assert page.request.post(faults, data={"output_ttl_s": 60}).ok
    try:
        link = _video_output(page, console_url)
    finally:
        page.request.delete(faults)
    task_id = link.rsplit("/", 1)[-1].split(".")[0]
    deadline = time.monotonic() + 60
    while not page.request.get(f"{console_url}/api/tasks/{task_id}").json()["videoSaved"]:
        assert time.monotonic() < deadline, "the copy was never saved"
        page.wait_for_timeout(300)
    page.goto(console_url)
    page.check("input[name=endpoint][value=video_to_video]")
    field = ".media-field[data-path=videoUri]"
    page.click(f"{field} details.media-outputs summary")
    page.click(f"{field} .media-output[data-task-id='{task_id}']")
    assert _uploaded(page, "videoUri").startswith("runway://uploads/")
    assert f"task {task_id[:8]}" in page.inner_text(f"{field} .media-note")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "media-output-copy-desktop.png"), full_page=False)
    assert watched.errors == [], watched.errors
