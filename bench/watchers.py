"""Target 2: watchers do not multiply upstream calls.

Usage: python bench/watchers.py [--seconds 60]
20 running tasks, 200 browser-like pollers (each asks every 2 s) for `--seconds`; the
simulator's own request counter says how often the console asked upstream. Then the tasks are
cancelled and polled again: finished tasks must cause no upstream read at all.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Connection, free_port, server

TASKS, POLLERS, EVERY_S, POLL_INTERVAL_S = 20, 200, 2.0, 5.0
KEY = {"X-Runway-Key": "hk-watchers-0000"}


async def poll(port: int, task_ids: list[str], seconds: float) -> int:
    async def poller(index: int) -> int:
        conn = await Connection.open(port)
        done = 0
        deadline = time.monotonic() + seconds
        await asyncio.sleep(index * EVERY_S / POLLERS)  # spread out, like real browsers
        while time.monotonic() < deadline:
            reply = await conn.request("GET", f"/api/tasks/{task_ids[index % TASKS]}", headers=KEY)
            assert reply.status == 200, reply
            done += 1
            await asyncio.sleep(EVERY_S)
        conn.close()
        return done

    return sum(await asyncio.gather(*(poller(i) for i in range(POLLERS))))


def run(seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        sim_port, console_port = free_port(), free_port()
        sim = f"http://127.0.0.1:{sim_port}"
        with (
            server(
                ["simulator"],
                {"CONSOLE_DATA_DIR": f"{tmp}/sim", "CONSOLE_SIMULATOR_SPEED": "0.02"},
                sim_port,
            ),
            server(
                ["serve"],
                {
                    "CONSOLE_DATA_DIR": f"{tmp}/console",
                    "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
                    "CONSOLE_POLL_INTERVAL_S": str(POLL_INTERVAL_S),
                },
                console_port,
            ),
        ):
            console = httpx.Client(base_url=f"http://127.0.0.1:{console_port}", timeout=30)
            body = {
                "model": "gen3a_turbo",
                "promptImage": "https://example.com/a.jpg",
                "promptText": "watch me [sim:internal]",
                "ratio": "1280:768",
                "duration": 5,
                "baseUrl": sim,
            }
            ids = [
                console.post("/api/tasks", json=body, headers=KEY).json()["id"]
                for _ in range(TASKS)
            ]
            httpx.delete(f"{sim}/_sim/stats")
            polls = asyncio.run(poll(console_port, ids, seconds))
            running_reads = httpx.get(f"{sim}/_sim/stats").json().get("read", 0)
            console.get("/")
            csrf = {"X-CSRF-Token": console.cookies["rc_csrf"], "HX-Request": "true", **KEY}
            for task_id in ids:
                console.post(f"/tasks/{task_id}/cancel", headers=csrf)
            httpx.delete(f"{sim}/_sim/stats")
            final_polls = asyncio.run(poll(console_port, ids, 10))
            final_reads = httpx.get(f"{sim}/_sim/stats").json().get("read", 0)
    return {
        "seconds": seconds,
        "polls": polls,
        "reads": running_reads,
        "bound": TASKS * (seconds / POLL_INTERVAL_S) + TASKS,
        "final_polls": final_polls,
        "final_reads": final_reads,
    }


def report(r: dict) -> list[tuple[str, str]]:
    return [
        (
            f"{POLLERS} pollers on {TASKS} running tasks, {r['seconds']:g} s",
            f"{r['polls']} polls → {r['reads']} upstream reads (bound {r['bound']:.0f})",
        ),
        (
            "finished tasks polled 10 s",
            f"{r['final_polls']} polls → {r['final_reads']} upstream reads",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    for name, value in report(run(parser.parse_args().seconds)):
        print(f"{name}: {value}")
