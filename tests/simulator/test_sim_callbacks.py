"""notify_hook: the standalone simulator POSTs a task's final JSON to the hook on the relay
paths, retries a failing receiver, and its fault switches make the callback late, failing,
duplicated or malformed. A simulator inside the console calls back only to the console."""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from app.simulator.app import create_simulator_app
from tests.helpers import data_uri, image_bytes

HEADERS = {"Authorization": "Bearer key"}


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records what is POSTed to it and answers with
    the statuses it is told to, then 200."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                receiver.bodies.append(self.rfile.read(length))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def wait_for(self, count: int, limit_s: float = 60) -> list[bytes]:
        deadline = time.monotonic() + limit_s
        while len(self.bodies) < count:
            assert time.monotonic() < deadline, f"{len(self.bodies)} of {count} callbacks came"
            time.sleep(0.05)
        return self.bodies


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def http(live_simulator: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_simulator, headers=HEADERS, timeout=30) as client:
        yield client


def body(hook: str, prompt: str = "A lake at dawn") -> dict[str, Any]:
    return {
        "model": "gen3a_turbo",
        "promptImage": data_uri(image_bytes()),
        "promptText": prompt,
        "ratio": "1280:768",
        "duration": 5,
        "seed": 1,
        "notify_hook": hook,
    }


def deliveries(http: httpx.Client, attempts: int = 1, limit_s: float = 60) -> list[dict[str, Any]]:
    """The simulator's callback log, once its first callback has made `attempts` tries."""
    deadline = time.monotonic() + limit_s
    while True:
        found = http.get("/_sim/callbacks").json()["deliveries"]
        if found and len(found[0]["attempts"]) >= attempts:
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.1)


def test_the_final_task_json_is_posted_to_the_hook(http: httpx.Client, receiver: Receiver) -> None:
    task_id = http.post("/runwayml/v1/image_to_video", json=body(receiver.url)).json()["id"]
    (delivered,) = receiver.wait_for(1)
    sent = json.loads(delivered)
    read = http.get(f"/runwayml/v1/tasks/{task_id}").json()
    assert sent["id"] == task_id and sent["status"] == read["status"] == "SUCCEEDED"
    assert set(sent) == set(read)
    assert http.get(sent["output"][0]).headers["content-type"] == "video/mp4"


def test_a_failed_task_is_posted_too(http: httpx.Client, receiver: Receiver) -> None:
    http.post("/runwayml/v1/image_to_video", json=body(receiver.url, "[sim:moderation]"))
    sent = json.loads(receiver.wait_for(1)[0])
    assert (sent["status"], sent["failureCode"]) == ("FAILED", "SAFETY.INPUT.TEXT")


def test_a_failing_receiver_is_tried_again(http: httpx.Client, receiver: Receiver) -> None:
    receiver.statuses = [500, 503]
    http.post("/runwayml/v1/image_to_video", json=body(receiver.url))
    receiver.wait_for(3)
    (delivery,) = deliveries(http, 3)  # the third try is logged once its answer is back
    assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
    assert delivery["delivered"] == 1


def test_the_official_path_never_calls_back(http: httpx.Client, receiver: Receiver) -> None:
    official = {**HEADERS, "X-Runway-Version": "2024-11-06"}
    task_id = http.post("/v1/image_to_video", json=body(receiver.url), headers=official).json()
    deadline = time.monotonic() + 60
    while http.get(f"/v1/tasks/{task_id['id']}", headers=official).json()["status"] != "SUCCEEDED":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # Its callback, had there been one, came before this task was even created.
    relayed = http.post("/runwayml/v1/image_to_video", json=body(receiver.url)).json()["id"]
    (only,) = receiver.wait_for(1)
    assert json.loads(only)["id"] == relayed


@pytest.mark.parametrize(
    ("rule", "check"),
    [
        ({"kind": "latency", "latency_ms": 1500}, "late"),
        ({"kind": "status", "status": 502}, "failing"),
        ({"kind": "duplicate"}, "duplicated"),
        ({"kind": "malformed"}, "malformed"),
        ({"kind": "html", "status": 502}, "html"),
    ],
)
def test_fault_switches_bend_the_callback(
    http: httpx.Client, receiver: Receiver, rule: dict, check: str
) -> None:
    assert http.post("/_sim/faults", json={"rules": [{"target": "callback", **rule}]}).is_success
    http.post("/runwayml/v1/image_to_video", json=body(receiver.url))
    (delivery,) = deliveries(http, 4 if check == "failing" else 1)
    if check == "late":
        assert delivery["attempts"][0]["afterEndS"] >= 1.5
        assert len(receiver.wait_for(1)) == 1
    elif check == "failing":
        assert delivery["delivered"] == 0
        assert ["502" in a["error"] for a in delivery["attempts"]] == [True] * 4  # all retried
        assert receiver.bodies == []
    elif check == "duplicated":
        first, second = receiver.wait_for(2)
        assert first == second and json.loads(first)["status"] == "SUCCEEDED"
    else:
        (sent,) = receiver.wait_for(1)
        with pytest.raises(ValueError):
            json.loads(sent)
        assert (b"<h1>502" in sent) is (check == "html")


@pytest.mark.parametrize(
    ("prefix", "hook", "status"),
    [
        (None, "http://127.0.0.1:9/elsewhere", 200),  # callbacks off: the hook is ignored
        ("http://console/hooks/", "http://console/hooks/abc", 200),
        ("http://console/hooks/", "http://127.0.0.1:9/elsewhere", 400),
        ("http://console/hooks/", "http://console/other", 400),
    ],
)
async def test_a_simulator_in_the_console_calls_back_only_to_the_console(
    tmp_path: Path, prefix: str | None, hook: str, status: int
) -> None:
    app = create_simulator_app(tmp_path / "sim", speed=10, callback_prefix=prefix)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        answer = await sim.post("/runwayml/v1/image_to_video", json=body(hook), headers=HEADERS)
    app.state.sim.renderer.shutdown()
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.json()["error"] == "Invalid parameter 'notify_hook'"


async def called_back(receiver: Receiver, limit_s: float = 60) -> None:
    """Wait on the event loop (the simulator's watcher runs on it) for the first callback."""
    deadline = time.monotonic() + limit_s
    while not receiver.bodies:
        assert time.monotonic() < deadline, "no callback came"
        await asyncio.sleep(0.1)


async def test_a_simulator_mounted_under_a_path_calls_back_on_its_relay_paths(
    tmp_path: Path, receiver: Receiver
) -> None:
    """Mounted, the simulator sees `/simulator/runwayml/...`: still a relay path (the
    standalone rules here, so only the relay path can make it call back)."""
    sim = create_simulator_app(tmp_path / "sim", speed=10, callback_prefix="")
    outer = Starlette(routes=[Mount("/simulator", sim)])
    transport = httpx.ASGITransport(outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
        path = "/simulator/runwayml/v1/image_to_video"
        created = await http.post(path, json=body(receiver.url), headers=HEADERS)
        assert created.status_code == 200, created.text
        await called_back(receiver)
    sim.state.sim.renderer.shutdown()
    assert json.loads(receiver.bodies[0])["id"] == created.json()["id"]


async def test_inside_the_console_the_official_paths_call_back_to_it_alone(
    tmp_path: Path, receiver: Receiver
) -> None:
    """The console's built-in upstream (official paths) rehearses the callback; a hook that is
    not the console's receiver is ignored there, as the official API ignores it."""
    sim = create_simulator_app(tmp_path / "sim", speed=10, callback_prefix=receiver.url)
    official = {**HEADERS, "X-Runway-Version": "2024-11-06"}
    transport = httpx.ASGITransport(sim)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        ignored = await http.post(
            "/v1/image_to_video", json=body("http://127.0.0.1:9/elsewhere"), headers=official
        )
        called = await http.post("/v1/image_to_video", json=body(receiver.url), headers=official)
        assert ignored.status_code == called.status_code == 200
        await called_back(receiver)
        log = (await http.get("/_sim/callbacks")).json()["deliveries"]
    sim.state.sim.renderer.shutdown()
    assert [entry["taskId"] for entry in log] == [called.json()["id"]]
