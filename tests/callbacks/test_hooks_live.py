"""Issue 17, end to end: the console and the standalone simulator as real processes on 127.0.0.1.

The console calls the simulator as a relay (`/runwayml/v1/...`, private upstreams allowed) with
its own loopback address as CONSOLE_PUBLIC_URL, so `notifyHere` makes the simulator POST the
task's final JSON back to the console over real HTTP. Upstream reads are counted by the
simulator (`GET /_sim/stats`); its fault switches make the callback late, failing, duplicated,
malformed or an HTML page.
"""

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from bs4 import BeautifulSoup

from tests.conftest import FAST_ENV
from tests.helpers import POLL_LIMIT_S, create_body, free_port, live_process

KEY = {"X-Runway-Key": "hk-live-hook-key-7c2a"}
RARELY_S = "600"  # a console polling this rarely is settled by a callback or not at all
OFTEN_S = "0.3"  # a console that settles by polling when no callback comes
T = TypeVar("T")


def wait(read: Callable[[], T], done: Callable[[T], bool], what: str) -> T:
    """Read until `done` holds; a bound on a wait that should end, never a measure of speed."""
    deadline = time.monotonic() + POLL_LIMIT_S * 2
    while True:
        result = read()
        if done(result):
            return result
        assert time.monotonic() < deadline, f"never {what}; last seen: {result!r}"
        time.sleep(0.1)


class Rig:
    """A console and the simulator it calls as a relay, with what each test reads of them."""

    def __init__(self, console: httpx.Client, sim: httpx.Client, sim_url: str) -> None:
        self.console = console
        self.sim = sim
        self.sim_url = sim_url

    def create(self) -> dict[str, Any]:
        body = create_body(baseUrl=self.sim_url, notifyHere=True)
        created = self.console.post("/api/tasks", json=body, headers=KEY)
        assert created.status_code == 201, created.text
        return created.json()

    def task(self, task_id: str) -> dict[str, Any]:
        answer = self.console.get(f"/api/tasks/{task_id}", headers=KEY)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def reads(self) -> int:
        """The simulator's count of task reads: what the console asked upstream."""
        return self.sim.get("/_sim/stats").json().get("read", 0)

    def fault(self, **rule: Any) -> None:
        answer = self.sim.post("/_sim/faults", json={"rules": [{"target": "callback", **rule}]})
        assert answer.is_success, answer.text

    def sent(self, attempts: int) -> dict[str, Any]:
        """The simulator's log of its one callback, once it has made `attempts` tries."""
        log = wait(
            lambda: self.sim.get("/_sim/callbacks").json()["deliveries"],
            lambda found: bool(found) and len(found[0]["attempts"]) >= attempts,
            f"{attempts} tries at the callback",
        )
        return log[0]


@contextmanager
def rig(tmp_path: Path, sim_url: str, poll_s: str) -> Iterator[Rig]:
    port = free_port()
    console_url = f"http://127.0.0.1:{port}"
    env = {
        **FAST_ENV,
        "CONSOLE_DATA_DIR": str(tmp_path / "console"),
        "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
        "CONSOLE_PUBLIC_URL": console_url,
        "CONSOLE_POLL_INTERVAL_S": poll_s,
    }
    with (
        live_process(["serve", "--port", str(port)], env, port, tmp_path / "console.log"),
        httpx.Client(base_url=console_url, timeout=30) as console,
        httpx.Client(base_url=sim_url, timeout=30) as sim,
    ):
        yield Rig(console, sim, sim_url)


@pytest.fixture
def quiet(tmp_path: Path, live_simulator: str) -> Iterator[Rig]:
    """The console never polls in a test's time: only a callback can settle a task."""
    with rig(tmp_path, live_simulator, RARELY_S) as found:
        yield found


@pytest.fixture
def polling(tmp_path: Path, live_simulator: str) -> Iterator[Rig]:
    """The console polls as usual: the fallback when the callback is late or never comes."""
    with rig(tmp_path, live_simulator, OFTEN_S) as found:
        yield found


def test_a_callback_settles_the_task_with_one_confirming_read(quiet: Rig) -> None:
    task = quiet.create()
    assert task["hook"] == {"url": task["hook"]["url"], "deliveries": []}
    assert task["hook"]["url"].startswith(f"{str(quiet.console.base_url).rstrip('/')}/hooks/")
    seen = wait(lambda: quiet.task(task["id"]), lambda t: t["hook"]["deliveries"], "called back")
    assert seen["status"] == "SUCCEEDED"
    assert quiet.reads() == 1  # the console re-read the task once rather than trust the body
    [delivery] = seen["hook"]["deliveries"]
    assert set(delivery) >= {"at", "status", "body"}
    assert delivery["status"] == "SUCCEEDED"
    assert json.loads(delivery["body"])["id"] == task["id"]
    assert delivery["headers"]["user-agent"] == "runway-console-simulator"
    for _ in range(3):
        assert quiet.task(task["id"])["status"] == "SUCCEEDED"
    assert quiet.reads() == 1  # settled: never read again
    assert [a["status"] for a in quiet.sent(1)["attempts"]] == [200]


def test_a_late_callback_finds_the_task_settled_by_polling(polling: Rig) -> None:
    polling.fault(kind="latency", latency_ms=5000)
    task = polling.create()
    settled = wait(lambda: polling.task(task["id"]), lambda t: t["status"] == "SUCCEEDED", "done")
    assert settled["hook"]["deliveries"] == []  # polling settled it; the callback is on its way
    reads = polling.reads()
    assert reads >= 1
    seen = wait(lambda: polling.task(task["id"]), lambda t: t["hook"]["deliveries"], "late")
    [delivery] = seen["hook"]["deliveries"]
    assert delivery["status"] == "SUCCEEDED"
    assert delivery["afterEndS"] > 0  # recorded with how long after the console saw the end
    assert polling.sent(1)["attempts"][0]["afterEndS"] >= 5
    assert polling.reads() == reads  # a callback for a settled task reads nothing


def test_a_failing_callback_is_retried_and_polling_settles(polling: Rig) -> None:
    polling.fault(kind="status", status=502)
    task = polling.create()
    log = polling.sent(4)
    assert log["delivered"] == 0
    assert ["502" in a["error"] for a in log["attempts"]] == [True] * 4
    gaps = [b["at"] - a["at"] for a, b in zip(log["attempts"], log["attempts"][1:], strict=False)]
    # Backing off: each wait at least as long as the schedule says (a sleep never ends early).
    assert all(gap >= wait_s - 0.01 for gap, wait_s in zip(gaps, (0.5, 1.0, 2.0), strict=True))
    seen = wait(lambda: polling.task(task["id"]), lambda t: t["status"] == "SUCCEEDED", "polled")
    assert seen["hook"]["deliveries"] == []


def test_a_duplicated_callback_is_recorded_twice_and_settles_once(quiet: Rig) -> None:
    quiet.fault(kind="duplicate")
    task = quiet.create()
    seen = wait(
        lambda: quiet.task(task["id"]), lambda t: len(t["hook"]["deliveries"]) == 2, "twice"
    )
    first, second = seen["hook"]["deliveries"]
    assert first["body"] == second["body"]
    assert first["status"] == second["status"] == seen["status"] == "SUCCEEDED"
    assert quiet.reads() == 1


@pytest.mark.parametrize("kind", ["malformed", "html"])
def test_a_malformed_callback_is_recorded_refused_and_escaped(quiet: Rig, kind: str) -> None:
    quiet.fault(kind=kind, status=502)
    task = quiet.create()
    log = quiet.sent(4)  # the console answers 400 each time; the simulator tries four times
    assert [a["status"] for a in log["attempts"]] == [400] * 4
    seen = quiet.task(task["id"])
    assert [d["status"] for d in seen["hook"]["deliveries"]] == [None] * 4
    assert seen["status"] in ("PENDING", "RUNNING")  # nothing settled by a body it cannot read
    assert quiet.reads() == 0
    card = quiet.console.get(f"/tasks/{task['id']}", headers={**KEY, "HX-Request": "true"})
    page = BeautifulSoup(card.text, "html.parser")
    shown = [pre.text for pre in page.select(".hook-deliveries pre.body")][1::2]
    assert shown == [d["body"] for d in seen["hook"]["deliveries"]]  # as text, not as markup
    assert page.select(".hook-deliveries h1") == []
    if kind == "html":
        assert "&lt;h1&gt;502 Bad Gateway&lt;/h1&gt;" in card.text


def test_the_relay_check_reports_the_relays_callback(polling: Rig) -> None:
    """The check reads every poll interval: this console's is short."""
    check = {"baseUrl": polling.sim_url, "tinyTask": True, "notifyHere": True}
    report = polling.console.post("/api/relay-check", json=check, headers=KEY).json()
    [arrived] = [i for i in report["items"] if i["name"] == "The callback arrives"]
    assert arrived["verdict"] == "ok", report
    assert arrived["got"].startswith("1 delivery, ") and "SUCCEEDED" in arrived["got"]
    assert polling.sent(1)["attempts"][0]["status"] == 200
