"""kill -9 mid-task, start again on the same data dir: the task finishes and its video is saved."""

import signal
import time
from pathlib import Path

import httpx

from tests.helpers import free_port, live_process, seed_body

KEY = {"X-Runway-Key": "hk-restart-test-key-5e5e"}


def test_a_task_survives_kill_9_and_finishes_with_its_video(tmp_path: Path) -> None:
    env = {
        "CONSOLE_DATA_DIR": str(tmp_path / "data"),
        "CONSOLE_SIMULATOR_SPEED": "0.5",
        "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.2",
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with live_process(["serve", "--port", str(port)], env, port, tmp_path / "first.log") as first:
        task = httpx.post(
            f"{base}/api/tasks", json=seed_body("https://example.com/a.jpg"), headers=KEY
        ).json()
        time.sleep(2.5)
        assert httpx.get(f"{base}/api/tasks/{task['id']}", headers=KEY).json()["status"] in (
            "PENDING",
            "RUNNING",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=5)

    with live_process(["serve", "--port", str(port)], env, port, tmp_path / "second.log"):
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            current = httpx.get(f"{base}/api/tasks/{task['id']}", headers=KEY).json()
            if current["status"] == "SUCCEEDED" and current["videoSaved"]:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"not finished after restart: {current}")
        listed = httpx.get(f"{base}/api/tasks", headers=KEY).json()["tasks"]
        video = httpx.get(f"{base}{current['videoUrl']}")
    assert [t["id"] for t in listed] == [task["id"]]
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
