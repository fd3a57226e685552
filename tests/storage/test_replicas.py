"""Two `runway-console serve` replicas on one PostgreSQL and one SeaweedFS bucket, each with its
own empty data dir: the topology of deploy/compose.yaml without Docker (no image can be built
here). Upstream is one standalone simulator that both replicas reach as a relay.
"""

import asyncio
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEAM_SECRET
from tests.engines import PostgresServer, SeaweedServer
from tests.helpers import free_port, live_process, seed_body

OPERATOR_KEY = "hk-operator-replica-test-9c9c"
PERSONAL = {"X-Runway-Key": "hk-personal-replica-test-4d4d"}
POLL_S = 0.3


@contextmanager
def simulator(tmp_path: Path, speed: str) -> Iterator[str]:
    port = free_port()
    env = {"CONSOLE_DATA_DIR": str(tmp_path / "upstream"), "CONSOLE_SIMULATOR_SPEED": speed}
    with live_process(["simulator", "--port", str(port)], env, port, tmp_path / "sim.log"):
        yield f"http://127.0.0.1:{port}"


class Team:
    """The shared pieces, and the replicas started on them."""

    def __init__(self, tmp_path: Path, postgres: PostgresServer, seaweed: SeaweedServer) -> None:
        self.tmp_path = tmp_path
        self.postgres = postgres
        self.database = postgres.new_database()
        self.s3_env = seaweed.env()
        self.stack = ExitStack()
        self.upstream = ""

    def replica_env(self, name: str) -> dict[str, str]:
        return {
            **self.s3_env,
            "CONSOLE_DATA_DIR": str(self.tmp_path / name),
            "CONSOLE_DATABASE_URL": self.database,
            "CONSOLE_SECRET_KEY": TEAM_SECRET,
            "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
            "RUNWAYML_API_SECRET": OPERATOR_KEY,
            "RUNWAYML_BASE_URL": self.upstream,
            "CONSOLE_ALLOW_ANONYMOUS": "true",
            "CONSOLE_POLL_INTERVAL_S": str(POLL_S),
            "CONSOLE_VIDEO_LEASE_S": "2",
            "CONSOLE_ACCESS_LOG": "false",
        }

    def start(self, name: str) -> tuple[str, subprocess.Popen]:
        port = free_port()
        process = self.stack.enter_context(
            live_process(
                ["serve", "--port", str(port)],
                self.replica_env(name),
                port,
                self.tmp_path / f"{name}.log",
            )
        )
        return f"http://127.0.0.1:{port}", process

    def row(self, task_id: str) -> list[str]:
        """The task as the database has it, read without asking any replica (a read through a
        replica would itself refresh the task)."""
        found = self.postgres.psql(
            "SELECT status, coalesce(video_path, ''), coalesce(video_holder, '') "
            f"FROM tasks WHERE id = '{task_id}'",
            self.database.rsplit("/", 1)[1],
        )
        return found.split("|") if found else []

    def wait_row(
        self, task_id: str, done: Callable[[list[str]], bool], timeout_s: float = 90
    ) -> list[str]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            row = self.row(task_id)
            if row and done(row):
                return row
            time.sleep(0.2)
        raise AssertionError(f"task {task_id} stuck: {self.row(task_id)}")


@pytest.fixture
def team(tmp_path: Path, postgres: PostgresServer, seaweed: SeaweedServer) -> Iterator[Team]:
    team = Team(tmp_path, postgres, seaweed)
    with team.stack:
        yield team


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def assert_video_served(base: str, task_id: str) -> None:
    task = httpx.get(f"{base}/api/tasks/{task_id}", timeout=10).json()
    assert task["videoSaved"], task
    assert task["videoUrl"].startswith(f"{base}/media/"), task["videoUrl"]  # on the replica asked
    whole = httpx.get(task["videoUrl"], timeout=30)
    assert whole.status_code == 200 and whole.content[4:8] == b"ftyp"
    part = httpx.get(task["videoUrl"], headers={"Range": "bytes=4-7"}, timeout=10)
    assert part.status_code == 206 and part.content == b"ftyp"


def test_a_replica_killed_mid_task_leaves_nothing_stuck(team: Team) -> None:
    """Nobody watches: the other replica's worker finishes the operator's task and its video."""
    with simulator(team.tmp_path, speed="0.5") as upstream:
        team.upstream = upstream
        (first, first_process), (second, _) = team.start("a"), team.start("b")
        created = httpx.post(f"{first}/api/tasks", json=seed_body("https://x.test/a.jpg"))
        assert created.status_code == 201, created.text
        task_id = created.json()["id"]
        assert team.row(task_id)[0] in ("PENDING", "RUNNING")
        kill(first_process)
        status, _video, holder = team.wait_row(task_id, lambda row: bool(row[1]))
        assert (status, holder) == ("SUCCEEDED", "")
        assert_video_served(second, task_id)


def test_a_replica_killed_mid_copy_has_its_copy_finished_by_another(team: Team) -> None:
    with simulator(team.tmp_path, speed="5") as upstream:
        team.upstream = upstream
        replicas = dict([team.start("a"), team.start("b")])
        slow_output = {"target": "output", "kind": "latency", "latency_ms": 6000, "remaining": 1}
        httpx.post(f"{upstream}/_sim/faults", json={"rules": [slow_output]})
        base = next(iter(replicas))
        task_id = httpx.post(f"{base}/api/tasks", json=seed_body("https://x.test/a.jpg")).json()[
            "id"
        ]
        _, _, holder = team.wait_row(task_id, lambda row: bool(row[2]))
        pid = int(holder.split(":")[1])
        copying = next(p for p in replicas.values() if p.pid == pid)
        kill(copying)
        status, _video, holder = team.wait_row(task_id, lambda row: bool(row[1]))
        assert (status, holder) == ("SUCCEEDED", "")
        survivor = next(b for b, p in replicas.items() if p is not copying)
        assert_video_served(survivor, task_id)


async def test_the_refresh_claim_and_submit_once_hold_across_replicas(team: Team) -> None:
    with simulator(team.tmp_path, speed="0.5") as upstream:
        team.upstream = upstream
        bases = [team.start("a")[0], team.start("b")[0]]
        async with httpx.AsyncClient(timeout=30) as http:
            slow_create = {"target": "create", "kind": "latency", "latency_ms": 800}
            await http.post(f"{upstream}/_sim/faults", json={"rules": [slow_create]})
            body = {**seed_body("https://x.test/a.jpg"), "baseUrl": upstream}
            once = {**PERSONAL, "Idempotency-Key": "both-replicas-1"}
            answers = await asyncio.gather(
                *(http.post(f"{bases[n % 2]}/api/tasks", json=body, headers=once) for n in range(6))
            )
            assert {a.status_code for a in answers} == {201}
            assert len({a.json()["id"] for a in answers}) == 1
            stats = (await http.get(f"{upstream}/_sim/stats")).json()
            assert stats.get("create") == 1

            task_id = answers[0].json()["id"]
            await http.delete(f"{upstream}/_sim/stats")
            started = time.monotonic()
            for _ in range(8):
                await asyncio.gather(
                    *(
                        http.get(f"{bases[n % 2]}/api/tasks/{task_id}", headers=PERSONAL)
                        for n in range(10)
                    )
                )
                await asyncio.sleep(0.1)
            intervals = int((time.monotonic() - started) / POLL_S)
            reads = (await http.get(f"{upstream}/_sim/stats")).json().get("read", 0)
            assert 1 <= reads <= 1 + intervals, (reads, intervals)
