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
        video = httpx.get(current["videoUrl"])
    assert [t["id"] for t in listed] == [task["id"]]
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"


def _scratch_parts(data: Path) -> list[Path]:
    """Every temporary file a video copy can leave: `.part` files, anywhere in the data dir."""
    return sorted(p for p in data.rglob("*") if p.is_file() and ".part" in p.name)


def test_kill_9_mid_copy_leaves_one_video_and_no_part_files(tmp_path: Path) -> None:
    """The relay's output trickles (the simulator's `slow` switch), so the console is caught
    with a half-written copy; after the restart the copy is resumed and nothing is left over."""
    sim_port, port = free_port(), free_port()
    sim, base = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{port}"
    data = tmp_path / "data"
    env = {
        "CONSOLE_DATA_DIR": str(data),
        "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
        "CONSOLE_POLL_INTERVAL_S": "0.2",
        "CONSOLE_VIDEO_LEASE_S": "2",
    }
    sim_env = {"CONSOLE_DATA_DIR": str(tmp_path / "upstream"), "CONSOLE_SIMULATOR_SPEED": "4"}
    with live_process(["simulator", "--port", str(sim_port)], sim_env, sim_port, tmp_path / "s"):
        slow = {"target": "output", "kind": "slow", "latency_ms": 300, "remaining": None}
        assert httpx.post(f"{sim}/_sim/faults", json={"rules": [slow]}).status_code == 200
        with live_process(["serve", "--port", str(port)], env, port, tmp_path / "1.log") as first:
            body = {**seed_body("https://example.com/a.jpg"), "baseUrl": sim}
            task = httpx.post(f"{base}/api/tasks", json=body, headers=KEY).json()
            deadline = time.monotonic() + 30
            while not _scratch_parts(data):
                assert time.monotonic() < deadline, "the copy never started"
                httpx.get(f"{base}/api/tasks/{task['id']}", headers=KEY)
                time.sleep(0.1)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=5)
        assert _scratch_parts(data), "killed mid-copy, a half-written copy is on disk"

        with live_process(["serve", "--port", str(port)], env, port, tmp_path / "2.log"):
            deadline = time.monotonic() + 60
            while not httpx.get(f"{base}/api/tasks/{task['id']}", headers=KEY).json()["videoSaved"]:
                assert time.monotonic() < deadline, "the copy was not resumed"
                time.sleep(0.2)
            video = httpx.get(f"{base}/media/{task['id']}.mp4", headers=KEY)
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    assert [p.name for p in (data / "videos").iterdir()] == [f"{task['id']}.mp4"]
    assert _scratch_parts(data) == []
