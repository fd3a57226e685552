"""Real processes on 127.0.0.1 ports: `runway-console simulator` and `runway-console serve`."""

import json
import subprocess
import time
from pathlib import Path

import av
import httpx
import pytest

from tests.helpers import data_uri, image_bytes, seed_body


def poll_until_final(get: httpx.Client, url: str, headers: dict | None = None) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        task = get.get(url, headers=headers).json()
        if task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return task
        time.sleep(0.1)
    raise AssertionError(f"not final in time: {task}")


def check_video(content: bytes, path: Path, seconds: float, aspect: float) -> None:
    """A decodable H.264 MP4 of the requested length at the requested shape."""
    path.write_bytes(content)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.width / stream.height == pytest.approx(aspect, rel=0.01)
        assert float(stream.duration * stream.time_base) == pytest.approx(seconds, abs=0.1)
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == seconds * 24


def test_seed_json_with_curl_against_the_standalone_simulator(
    live_simulator: str, tmp_path: Path
) -> None:
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps(seed_body(data_uri(image_bytes((1280, 768))))))
    created = subprocess.run(
        [
            "curl",
            "-sS",
            "-X",
            "POST",
            f"{live_simulator}/runwayml/v1/image_to_video",
            "-H",
            "Authorization: Bearer hk-test-0000",
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            f"@{body_file}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    task_id = json.loads(created.stdout)["id"]
    with httpx.Client() as http:
        task = poll_until_final(
            http,
            f"{live_simulator}/runwayml/v1/tasks/{task_id}",
            {"Authorization": "Bearer hk-test-0000"},
        )
        assert task["status"] == "SUCCEEDED"
        video = http.get(task["output"][0])
    assert task["output"][0].startswith(live_simulator)
    check_video(video.content, tmp_path / "sim.mp4", 5, 1280 / 768)


def test_the_console_drives_the_standalone_simulator_as_a_relay(
    live_simulator: str, live_console: str, tmp_path: Path
) -> None:
    body = {**seed_body(data_uri(image_bytes((1280, 768)))), "baseUrl": live_simulator}
    key = {"X-Runway-Key": "hk-live-test-key-9f3e"}
    with httpx.Client(base_url=live_console, timeout=30) as http:
        created = http.post("/api/tasks", json=body, headers=key)
        assert created.status_code == 201, created.text
        task = created.json()
        assert task["baseUrl"] == live_simulator
        final = poll_until_final(http, f"/api/tasks/{task['id']}", key)
        assert final["status"] == "SUCCEEDED"
        video = http.get(final["videoUrl"])
        listed = http.get("/api/tasks", headers=key).json()["tasks"]
    assert [t["id"] for t in listed] == [task["id"]]
    check_video(video.content, tmp_path / "console.mp4", 5, 1280 / 768)


def test_the_console_reports_a_refused_connection(live_console: str) -> None:
    body = {**seed_body("https://example.com/a.jpg"), "baseUrl": "http://127.0.0.1:9"}
    with httpx.Client(base_url=live_console) as http:
        response = http.post("/api/tasks", json=body, headers={"X-Runway-Key": "hk-x-0000"})
    assert response.status_code == 502
    assert "nothing answered at http://127.0.0.1:9" in response.json()["error"]["message"]


def test_the_console_page_and_health_answer(live_console: str) -> None:
    with httpx.Client(base_url=live_console) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        page = http.get("/")
    assert page.status_code == 200
    assert 'id="gen-form"' in page.text
