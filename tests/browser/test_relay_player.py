"""A video (or an image) made through an http relay shows: the card moves to the console's copy.

The page's CSP allows media from 'self' and https: only, so an http relay's output URL (the
standalone simulator on loopback here) can never play in the page; the console's saved copy can.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import start_console
from tests.browser.kit import Watched, wait_for_video
from tests.helpers import free_port, live_process


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[str]:
    """The standalone simulator, served over plain http on loopback, as a relay."""
    port = free_port()
    env = {"CONSOLE_DATA_DIR": str(tmp_path / "relay"), "CONSOLE_SIMULATOR_SPEED": "5"}
    with live_process(["simulator", "--port", str(port)], env, port, tmp_path / "relay.log"):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def private_console(tmp_path: Path) -> Iterator[str]:
    yield from start_console(tmp_path, CONSOLE_ALLOW_PRIVATE_UPSTREAMS="true")


def test_a_video_from_an_http_relay_plays_from_the_saved_copy(
    watched: Watched, private_console: str, relay: str
) -> None:
    page = watched.page
    page.goto(private_console)
    page.fill("#baseUrl", relay)
    page.fill("#api-key", "hk-relay-player-test-0001")
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "through an http relay")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    page.wait_for_selector("#video-state.saved", timeout=30_000)
    video = page.locator("#task-card video")
    for _ in range(50):  # the player follows the saved copy once the state says so
        if "/media/" in (video.get_attribute("src") or ""):
            break
        page.wait_for_timeout(100)
    src = video.get_attribute("src") or ""
    assert src.startswith(f"{private_console}/media/") or src.startswith("/media/"), src
    wait_for_video(page, "readyState", 3)
    wait_for_video(page, "currentTime", 0.3)
    assert video.evaluate("v => v.error === null ? 0 : v.error.code") == 0
    csp = [e for e in watched.errors if "Content Security Policy" in e or "media" in e]
    assert not csp, csp


def test_an_image_from_an_http_relay_shows_from_the_saved_copy(
    watched: Watched, private_console: str, relay: str
) -> None:
    """The image card does as the player does: never the blocked http URL, the copy once saved
    (the relay's output is held back a few seconds, so the card is final before the copy)."""
    key = {"X-Runway-Key": "hk-relay-image-test-0002"}
    delay = {"target": "output", "kind": "latency", "latency_ms": 6000, "remaining": 5}
    assert httpx.post(f"{relay}/_sim/faults", json={"rules": [delay]}).status_code == 200
    with httpx.Client(base_url=private_console, timeout=30) as http:
        http.get("/")
        http.headers["X-CSRF-Token"] = http.cookies["rc_csrf"]
        body = {"model": "gen4_image", "promptText": "a red fox", "ratio": "1024:1024"}
        created = http.post(
            "/api/tasks", json={"endpoint": "text_to_image", "baseUrl": relay, **body}, headers=key
        )
        assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    page = watched.page
    page.goto(private_console)
    page.fill("#api-key", key["X-Runway-Key"])
    page.goto(f"{private_console}/?task={task_id}")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    assert page.locator("#video-state.saved").count() == 0, "the copy came before the card"
    page.wait_for_selector("#video-state.saved", timeout=30_000)
    image = page.locator("#task-card img.output-image")
    for _ in range(50):
        if "/media/" in (image.get_attribute("src") or ""):
            break
        page.wait_for_timeout(100)
    assert "/media/" in (image.get_attribute("src") or ""), image.get_attribute("src")
    for _ in range(50):
        if image.evaluate("i => i.complete && i.naturalWidth") == 1024:
            break
        page.wait_for_timeout(100)
    assert image.evaluate("i => i.naturalWidth") == 1024
    csp = [e for e in watched.errors if "Content Security Policy" in e]
    assert not csp, csp
