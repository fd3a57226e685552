"""Answers carry absolute URLs, so a client on another origin (a relay's panel, Node's fetch)
can fetch them: on CONSOLE_PUBLIC_URL, else on the scheme and host the request came to, as
forwarded by the operator's proxies (CONSOLE_TRUSTED_PROXIES) and by nobody else.

Run against live `runway-console serve` processes, since forwarded headers are handled by the
server the CLI runs, not by the app alone.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import FAST_ENV
from tests.helpers import EXAMPLE_FRAME, POLL_LIMIT_S, create_body, free_port, live_process

KEY = {"X-Runway-Key": "hk-absolute-urls-0001"}
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "console.example.org"}


@contextmanager
def console(tmp_path: Path, **env: str) -> Iterator[httpx.Client]:
    port = free_port()
    full_env = {**FAST_ENV, "CONSOLE_DATA_DIR": str(tmp_path / "console"), **env}
    with (
        live_process(["serve", "--port", str(port)], full_env, port, tmp_path / "console.log"),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
    ):
        yield http


def saved_task(http: httpx.Client, headers: dict[str, str]) -> dict:
    """A task through the JSON API, read until the console holds its copy of the video."""
    created = http.post("/api/tasks", json=create_body(EXAMPLE_FRAME), headers={**KEY, **headers})
    assert created.status_code == 201, created.text
    deadline = time.monotonic() + POLL_LIMIT_S
    while time.monotonic() < deadline:
        task = http.get(f"/api/tasks/{created.json()['id']}", headers={**KEY, **headers}).json()
        if task["videoSaved"]:
            return task
        time.sleep(0.2)
    raise AssertionError(f"never saved: {task}")


def test_the_api_answers_urls_on_the_host_the_client_used(tmp_path: Path) -> None:
    with console(tmp_path) as http:
        origin = str(http.base_url).rstrip("/")
        created = http.post("/api/tasks", json=create_body(EXAMPLE_FRAME), headers=KEY).json()
        assert created["output"] == [] or created["output"][0].startswith(origin)
        task = saved_task(http, {})
        assert task["videoUrl"].startswith(f"{origin}/media/"), task["videoUrl"]
        assert task["output"][0].startswith(f"{origin}/simulator/outputs/"), task["output"]
        for url in (task["videoUrl"], task["output"][0]):
            video = httpx.get(url, timeout=30)  # a client anywhere fetches them as they are
            assert video.status_code == 200 and video.content[4:8] == b"ftyp"
        # Nobody was named as a proxy: forwarded headers change nothing.
        task = http.get(f"/api/tasks/{task['id']}", headers={**KEY, **PROXIED}).json()
        assert task["videoUrl"].startswith(f"{origin}/media/")


def test_a_trusted_proxy_forwards_the_scheme_and_host(tmp_path: Path) -> None:
    with console(tmp_path, CONSOLE_TRUSTED_PROXIES="127.0.0.1") as http:
        task = saved_task(http, PROXIED)
        assert task["videoUrl"].startswith("https://console.example.org/media/"), task
        assert task["output"][0].startswith("https://console.example.org/simulator/outputs/")
        listed = http.get("/api/tasks", headers={**KEY, **PROXIED}).json()["tasks"]
        assert listed[0]["videoUrl"].startswith("https://console.example.org/media/")
        # Straight to the port, with no forwarded headers: its own scheme and host.
        direct = http.get(f"/api/tasks/{task['id']}", headers=KEY).json()
        assert direct["videoUrl"].startswith(f"{str(http.base_url).rstrip('/')}/media/")


def test_the_public_url_wins(tmp_path: Path) -> None:
    with console(tmp_path, CONSOLE_PUBLIC_URL="https://runway.example.net") as http:
        task = saved_task(http, PROXIED)
        assert task["videoUrl"].startswith("https://runway.example.net/media/"), task
        assert task["output"][0].startswith("https://runway.example.net/simulator/outputs/")


def test_the_gateway_answers_absolute_outputs(tmp_path: Path) -> None:
    """A personal key passed through the gateway, read with the Runway API's own path."""
    with console(tmp_path, CONSOLE_TRUSTED_PROXIES="127.0.0.1") as http:
        bearer = {"Authorization": "Bearer hk-absolute-urls-0002", "X-Runway-Version": "2024-11-06"}
        created = http.post("/v1/image_to_video", json=create_body(), headers=bearer)
        assert created.status_code == 200, created.text
        deadline = time.monotonic() + POLL_LIMIT_S
        while time.monotonic() < deadline:
            task = http.get(f"/v1/tasks/{created.json()['id']}", headers=bearer).json()
            if task["status"] == "SUCCEEDED":
                break
            time.sleep(0.2)
        assert task["output"][0].startswith(str(http.base_url).rstrip("/") + "/"), task
        proxied = http.get(f"/v1/tasks/{task['id']}", headers={**bearer, **PROXIED}).json()
        assert proxied["output"][0].startswith("https://console.example.org/"), proxied


def test_the_mounted_simulator_answers_absolute_outputs(tmp_path: Path) -> None:
    """A client using the console's /simulator as its Runway base gets URLs it can fetch."""
    with console(tmp_path, CONSOLE_TRUSTED_PROXIES="127.0.0.1") as http:
        origin = str(http.base_url).rstrip("/")
        bearer = {"Authorization": "Bearer sim-absolute-0003", "X-Runway-Version": "2024-11-06"}
        created = http.post("/simulator/v1/image_to_video", json=create_body(), headers=bearer)
        assert created.status_code == 200, created.text
        deadline = time.monotonic() + POLL_LIMIT_S
        while time.monotonic() < deadline:
            read = http.get(f"/simulator/v1/tasks/{created.json()['id']}", headers=bearer)
            if read.json()["status"] == "SUCCEEDED":
                break
            time.sleep(0.2)
        output = read.json()["output"][0]
        assert output.startswith(f"{origin}/simulator/outputs/"), output
        assert httpx.get(output, timeout=30).status_code == 200
        path = f"/simulator/v1/tasks/{created.json()['id']}"
        proxied = http.get(path, headers={**bearer, **PROXIED}).json()["output"][0]
        assert proxied.startswith("https://console.example.org/simulator/outputs/"), proxied
