"""The player: it starts by itself (muted) once the video is ready, in the video's own shape."""

from tests.browser.kit import Watched, wait_for_video


def test_a_portrait_video_plays_by_itself_in_a_portrait_box(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "portrait")
    page.check("input[name=ratio][value='768:1280']")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    wait_for_video(page, "currentTime", 0.3)
    video = page.locator("#task-card video")
    assert video.evaluate("v => v.muted") and not video.evaluate("v => v.paused")
    box = video.bounding_box()
    assert box is not None and box["height"] > box["width"] * 1.4, box
    assert watched.errors == [], watched.errors
