"""Team deployment: SQLite vs PostgreSQL, one vs two replicas, side by side in one run.

Usage: python bench/team.py [--seconds 10]
Starts a real PostgreSQL and a real SeaweedFS (tests/engines.py) and one standalone simulator
as the upstream every configuration shares, then for each configuration:
- create overhead: 30 creates one after another through the console, minus the same creates
  sent straight to the simulator (median of each);
- task reads/s: 32 keep-alive connections (spread over the replicas) read the 30 tasks for
  `--seconds`; with a 5 s poll interval almost every read is answered from the database;
- watchers' upstream-read bound: 100 pollers (every 0.5 s, spread over the replicas) watch 10
  tasks for `--seconds` with a 1 s poll interval; the simulator counts the reads the console
  made, against the bound of one per task per interval (plus the first).
"""

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Connection, free_port, server, unlimited_account
from tests.engines import postgres_server, seaweed_server

KEY = {"X-Runway-Key": "hk-team-bench-0000"}
SECRET = "bench-team-secret-0123456789abcdef"
BODY = {
    "model": "gen3a_turbo",
    "promptImage": "https://example.com/a.jpg",
    "promptText": "bench",
    "ratio": "1280:768",
    "duration": 5,
    "seed": 4294967295,
}
CONNECTIONS, WATCHERS, WATCHED, WATCH_EVERY_S, WATCH_POLL_S = 32, 100, 10, 0.5, 1.0


async def median_create_ms(
    port: int, path: str, body: dict, headers: dict[str, str], count: int = 30
) -> float:
    conn = await Connection.open(port)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        reply = await conn.request("POST", path, json.dumps(body).encode(), headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert reply.status in (200, 201), reply
    conn.close()
    return statistics.median(samples)


async def create_tasks(port: int, body: dict, count: int) -> list[str]:
    conn = await Connection.open(port)
    ids = []
    for _ in range(count):
        reply = await conn.request("POST", "/api/tasks", json.dumps(body).encode(), headers=KEY)
        ids.append(json.loads(reply.body)["id"])
    conn.close()
    return ids


async def reads_per_second(ports: list[int], task_ids: list[str], seconds: float) -> float:
    async def reader(index: int) -> int:
        conn = await Connection.open(ports[index % len(ports)])
        done, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            task_id = task_ids[(index + done) % len(task_ids)]
            reply = await conn.request("GET", f"/api/tasks/{task_id}", headers=KEY)
            assert reply.status == 200, reply
            done += 1
        conn.close()
        return done

    return sum(await asyncio.gather(*(reader(i) for i in range(CONNECTIONS)))) / seconds


async def watch(ports: list[int], task_ids: list[str], seconds: float) -> None:
    async def watcher(index: int) -> None:
        conn = await Connection.open(ports[index % len(ports)])
        await asyncio.sleep(index * WATCH_EVERY_S / WATCHERS)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            reply = await conn.request(
                "GET", f"/api/tasks/{task_ids[index % len(task_ids)]}", headers=KEY
            )
            assert reply.status == 200, reply
            await asyncio.sleep(WATCH_EVERY_S)
        conn.close()

    await asyncio.gather(*(watcher(i) for i in range(WATCHERS)))


def measure(name: str, env: dict[str, str], replicas: int, sim: str, tmp: str, seconds: float):
    figures: dict[str, object] = {"configuration": name}
    for phase, poll_s in (("reads", 5.0), ("watch", WATCH_POLL_S)):
        ports = [free_port() for _ in range(replicas)]
        with ExitStack() as stack:
            for n, port in enumerate(ports):
                replica_env = {
                    **env,
                    "CONSOLE_DATA_DIR": f"{tmp}/{name}-{phase}-{n}".replace(" ", "_"),
                    "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
                    "CONSOLE_SECRET_KEY": SECRET,
                    "CONSOLE_POLL_INTERVAL_S": str(poll_s),
                    "CONSOLE_ACCESS_LOG": "false",
                }
                stack.enter_context(server(["serve"], replica_env, port))
            body = {**BODY, "baseUrl": sim}
            if phase == "reads":
                sim_port = int(sim.rsplit(":", 1)[1])
                auth = {"Authorization": f"Bearer {KEY['X-Runway-Key']}"}
                direct = asyncio.run(median_create_ms(sim_port, "/v1/image_to_video", BODY, auth))
                console = asyncio.run(median_create_ms(ports[0], "/api/tasks", body, KEY))
                figures["create_ms"] = round(console, 2)
                figures["create_overhead_ms"] = round(console - direct, 2)
                ids = asyncio.run(create_tasks(ports[0], body, 30))
                figures["reads_per_s"] = round(asyncio.run(reads_per_second(ports, ids, seconds)))
            else:
                ids = asyncio.run(create_tasks(ports[0], body, WATCHED))
                time.sleep(WATCH_POLL_S)
                httpx.delete(f"{sim}/_sim/stats")
                asyncio.run(watch(ports, ids, seconds))
                reads = httpx.get(f"{sim}/_sim/stats").json().get("read", 0)
                figures["upstream_reads"] = reads
                figures["read_bound"] = WATCHED * (math.ceil(seconds / WATCH_POLL_S) + 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    seconds = parser.parse_args().seconds
    with (
        tempfile.TemporaryDirectory() as tmp,
        postgres_server() as postgres,
        seaweed_server() as seaweed,
    ):
        sim_port = free_port()
        sim_env = {"CONSOLE_DATA_DIR": f"{tmp}/sim", "CONSOLE_SIMULATOR_SPEED": "0.02"}
        with server(["simulator"], sim_env, sim_port):
            sim = f"http://127.0.0.1:{sim_port}"
            unlimited_account(sim, KEY["X-Runway-Key"])
            configurations = [
                ("SQLite, 1 replica", {}, 1),
                ("PostgreSQL+S3, 1 replica", {}, 1),
                ("PostgreSQL+S3, 2 replicas", {}, 2),
            ]
            rows = []
            for name, env, replicas in configurations:
                if name.startswith("PostgreSQL"):
                    env = {"CONSOLE_DATABASE_URL": postgres.new_database(), **seaweed.env()}
                rows.append(measure(name, env, replicas, sim, tmp, seconds))
                print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()
