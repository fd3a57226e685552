"""The schema-driven modes of "Make", as a person uses them: a video-to-video task made from
the page plays, and Act-Two's nested option is set under Advanced (screenshots: desktop,
phone, Chinese, into test-artifacts/)."""

import time

from playwright.sync_api import Browser

from tests.browser.kit import ARTIFACTS, Watched, axe_violations, wait_for_video


def _video_output(page, console_url: str) -> str:
    """A finished text-to-video task's own upstream output URL, made by this browser's caller."""
    body = {
        "endpoint": "text_to_video",
        "model": "gen4.5",
        "promptText": "dunes",
        "ratio": "1280:720",
        "duration": 2,
    }
    created = page.request.post(f"{console_url}/api/tasks", data=body)
    assert created.status == 201, created.text()
    deadline = time.monotonic() + 60
    while (task := page.request.get(f"{console_url}/api/tasks/{created.json()['id']}").json())[
        "status"
    ] != "SUCCEEDED":
        assert time.monotonic() < deadline, task
        page.wait_for_timeout(300)
    return task["output"][0]


def test_a_video_to_video_task_made_from_the_page_plays(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    source = _video_output(page, console_url)
    page.check("input[name=endpoint][value=video_to_video]")
    page.wait_for_selector("input[name='s.videoUri']")
    assert page.input_value("#model") == "aleph2"
    page.fill("input[name='s.videoUri']", source)
    page.fill("#promptText", "the same dunes in winter")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=60_000)
    wait_for_video(page, "readyState", 2)
    page.wait_for_selector("#history .history-row:has-text('aleph2')")
    assert watched.errors == [], watched.errors


def test_an_act_two_task_made_from_the_page_plays(watched: Watched, console_url: str) -> None:
    """The performance is a video this caller made; the character an image the simulator
    does not fetch (a placeholder that names it stands in)."""
    page = watched.page
    page.goto(console_url)
    source = _video_output(page, console_url)
    page.check("input[name=endpoint][value=character_performance]")
    page.wait_for_selector("input[name='s.reference.uri']")
    page.fill("input[name='s.character.uri']", "https://example.com/face.png")
    page.fill("input[name='s.reference.uri']", source)
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=60_000)
    wait_for_video(page, "readyState", 2)
    assert watched.errors == [], watched.errors


def test_act_two_s_nested_option_is_set_under_advanced(watched: Watched, console_url: str) -> None:
    page = watched.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(console_url)
    page.check("input[name=endpoint][value=character_performance]")
    page.wait_for_selector("select[name='s.character.type']")
    page.select_option("select[name='s.character.type']", "image")
    page.fill("input[name='s.character.uri']", "https://example.com/face.png")
    page.fill("input[name='s.reference.uri']", "https://example.com/performance.mp4")
    page.click("details.schema-advanced summary")
    page.select_option("select[name='s.contentModeration.publicFigureThreshold']", "low")
    page.fill("input[name='s.expressionIntensity']", "4")
    page.locator("#gen-form").screenshot(
        path=str(ARTIFACTS / "act-two-form-desktop.png"), caret="initial"
    )
    page.click("#generate")
    page.wait_for_selector("#task-card .badge", timeout=30_000)
    task_id = page.get_attribute("#task-card", "data-task-id")
    sent = page.request.get(f"{console_url}/api/tasks/{task_id}").json()
    assert sent["endpoint"] == "character_performance" and sent["model"] == "act_two"
    code = page.request.get(f"{console_url}/tasks/{task_id}/code/curl").text()
    assert '"contentModeration": {"publicFigureThreshold": "low"}' in code
    assert '"expressionIntensity": 4' in code
    page.set_viewport_size({"width": 390, "height": 844})
    page.check("input[name=endpoint][value=character_performance]")
    page.wait_for_selector("select[name='s.character.type']")
    page.screenshot(path=str(ARTIFACTS / "act-two-form-phone.png"), full_page=True, caret="initial")
    assert watched.errors == [], watched.errors
    # Last: axe's own checks set inline styles, which the page's CSP reports as errors.
    assert axe_violations(page) == []


def test_the_modes_in_chinese(browser: Browser, console_url: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watched = Watched(context.new_page())
    page = watched.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(console_url)
    page.check("input[name=endpoint][value=video_to_video]")
    page.wait_for_selector("input[name='s.videoUri']")
    assert "视频转视频" in page.inner_text(".modes")
    page.click("details.schema-advanced summary")
    page.screenshot(path=str(ARTIFACTS / "v2v-form-zh.png"), full_page=True, caret="initial")
    assert watched.errors == [], watched.errors
    context.close()
