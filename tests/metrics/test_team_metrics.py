"""`/metrics` on two replicas sharing PostgreSQL: one scrape of either gives the team's totals,
and each replica's own counters carry its `replica` label and count only its own requests."""

import socket
import subprocess
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.engines import PostgresServer, SeaweedServer
from tests.helpers import create_body, free_port, live_process
from tests.metrics.test_metrics import TOKEN, value
from tests.storage.test_replicas import Team, simulator
from tests.team.test_members import cli

FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
BEARER = {"Authorization": f"Bearer {TOKEN}"}


class MeteredTeam(Team):
    """Replicas with a metrics token, each its own public URL (so callbacks reach it)."""

    def start(self, name: str) -> tuple[str, subprocess.Popen]:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **self.replica_env(name),
            "CONSOLE_METRICS_TOKEN": TOKEN,
            "CONSOLE_PUBLIC_URL": base,
        }
        log = self.tmp_path / f"{name}.log"
        process = self.stack.enter_context(
            live_process(["serve", "--port", str(port)], env, port, log)
        )
        return base, process

    def count(self, sql: str) -> int:
        return int(self.postgres.psql(sql, self.database.rsplit("/", 1)[1]) or 0)


def scrape(base: str) -> dict[tuple[str, frozenset], float]:
    answer = httpx.get(f"{base}/metrics", headers=BEARER, timeout=30)
    assert answer.status_code == 200, answer.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def shared(found: dict[tuple[str, frozenset], float]) -> dict[tuple[str, frozenset], float]:
    """The samples read from the database: those of the team, not of one process."""
    own = ("runway_console_upstream", "process_", "python_")
    return {key: v for key, v in found.items() if not key[0].startswith(own)}


def make_tasks(team: MeteredTeam, a: str, b: str, upstream: str) -> list[str]:
    """On A: the operator's task (with a callback), a member's, a create the upstream refuses;
    on B: the operator's failing task, the member's second, and one over the member's budget."""
    made = cli(
        team.tmp_path / "cli",
        "create",
        "alice",
        "--daily-credits",
        "50",
        database_url=team.database,
    )
    member = {"X-Runway-Key": made.stdout.strip().splitlines()[-1]}
    hooked = create_body(baseUrl=upstream, notifyHere=True)
    ids = []
    for base, body, headers in (
        (a, hooked, {}),
        (a, create_body(), member),
        (b, create_body(promptText="a lake [sim:internal]"), {}),
        (b, create_body(), member),
    ):
        answer = httpx.post(f"{base}/api/tasks", json=body, headers=headers, timeout=30)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    refused = httpx.post(f"{a}/api/tasks", json=create_body(promptText="[sim:503]"), timeout=30)
    assert refused.status_code == 502
    over = httpx.post(f"{b}/api/tasks", json=create_body(), headers=member, timeout=30)
    assert over.status_code == 429
    return ids


def test_one_scrape_of_either_replica_gives_the_teams_totals(
    tmp_path: Path, postgres: PostgresServer, seaweed: SeaweedServer
) -> None:
    team = MeteredTeam(tmp_path, postgres, seaweed)
    with team.stack, simulator(tmp_path, speed="5") as upstream:
        team.upstream = upstream
        (a, process_a), (b, process_b) = team.start("a"), team.start("b")
        for task_id in make_tasks(team, a, b, upstream):
            team.wait_row(
                task_id, lambda row: row[0] in FINAL and (row[0] != "SUCCEEDED" or bool(row[1]))
            )
        assert team.count("SELECT count(*) FROM hook_deliveries") >= 1
        callbacks = team.count("SELECT count(*) FROM hook_deliveries")
        on_a, on_b = scrape(a), scrape(b)

    assert shared(on_a) == shared(on_b)
    tasks = {"endpoint": "image_to_video", "model": "gen3a_turbo"}
    assert value(on_a, "runway_console_tasks", **tasks, status="SUCCEEDED") == 3
    assert value(on_a, "runway_console_tasks", **tasks, status="FAILED") == 1
    assert value(on_a, "runway_console_tasks") == 4
    assert value(on_a, "runway_console_member_credits_estimated_total", member="alice") == 50
    assert value(on_a, "runway_console_member_credits_charged_total", member="alice") == 50
    assert value(on_a, "runway_console_member_credits_held", member="alice") == 0
    assert value(on_a, "runway_console_video_copies", state="pending") == 0
    assert value(on_a, "runway_console_video_copies", state="failed") == 0
    assert value(on_a, "runway_console_callbacks_received_total") == callbacks

    host = socket.gethostname()  # the replica label: host and pid (app/metrics/replica.py)
    replica_a, replica_b = f"{host}:{process_a.pid}", f"{host}:{process_b.pid}"
    created = {"kind": "create", "upstream": "relay"}
    for found, mine, theirs, answered, refused in (
        (on_a, replica_a, replica_b, 2, 1),
        (on_b, replica_b, replica_a, 2, 0),
    ):
        name = "runway_console_upstream_requests_total"
        assert value(found, name, replica=mine, **created, status_class="2xx") == answered
        assert value(found, name, replica=mine, **created, status_class="5xx") == refused
        assert value(found, name, replica=theirs) == 0  # a replica counts only its own
        seconds = "runway_console_upstream_request_seconds_count"
        assert value(found, seconds, replica=mine, **created) == answered + refused
    budget = {"member": "alice", "reason": "budget"}
    # Counted in the database (app/team/refusals.py): either replica's scrape has B's one.
    assert value(on_a, "runway_console_refusals_total", **budget) == 1
    assert value(on_b, "runway_console_refusals_total", **budget) == 1
