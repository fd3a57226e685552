"""Target 1: what the console adds between the person and Runway, against nginx doing the same.

Usage: python bench/proxy_overhead.py [--pairs 300]
The same create + read, at concurrency 1 and 50, straight to the standalone simulator, through
nginx (a plain reverse proxy) and through the console (`POST /api/tasks` + `GET /api/tasks/{id}`
with the simulator as a relay). At concurrency 1 twice: the first frame as a URL, and as a
320×192 PNG data URI (the frame path: checked, stored, inlined), every way and both paths
taking turns pair by pair; at concurrency 50 in turns of many pairs. Then reads per second the
console serves from its store.

Each pair's create is also timed on its own: issue 28's targets are for the create alone (a
create with the PNG frame adds ≤ 2.0 ms median, one with a URL ≤ 1.5 ms, at concurrency 1).
"""

import argparse
import asyncio
import base64
import contextlib
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    Connection,
    cpu_seconds,
    free_port,
    json_body,
    nginx_proxy,
    server,
    summary,
    unlimited_account,
    wait_up,
)
from bench.proxy_report import report

# `[sim:internal]`: the simulator fails these tasks instead of rendering hundreds of videos,
# whose CPU would otherwise be measured as if it were the console's overhead.
BODY = {
    "model": "gen3a_turbo",
    "promptImage": "https://example.com/first.jpg",
    "promptText": "bench [sim:internal]",
    "ratio": "1280:768",
    "duration": 5,
}
AUTH = {"Authorization": "Bearer hk-bench-0000"}
KEY = {"X-Runway-Key": "hk-bench-0000"}


def png_frame(width: int = 320, height: int = 192) -> str:
    """The issue's frame: a 320×192 PNG (a pattern that compresses like a picture, not flat
    colour) as a data URI. The same frame every time, as a person regenerating from it sends."""
    image = Image.new("RGB", (width, height))
    image.putdata([(x % 256, y % 256, (x * y) % 256) for y in range(height) for x in range(width)])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


FRAME_BODY = {**BODY, "promptImage": png_frame()}


def pair_direct(body: dict = BODY):
    sent = json_body(body)

    async def pair(conn: Connection) -> tuple[float, float]:
        started = time.perf_counter()
        created = await conn.request("POST", "/runwayml/v1/image_to_video", sent, AUTH)
        assert created.status == 200, created
        create_ms = (time.perf_counter() - started) * 1000
        task_id = json.loads(created.body)["id"]
        read = await conn.request("GET", f"/runwayml/v1/tasks/{task_id}", headers=AUTH)
        assert created.status == 200 and read.status == 200, (created, read)
        return (time.perf_counter() - started) * 1000, create_ms

    return pair


def pair_console(sim_base: str, sent: dict = BODY):
    body = json_body({**sent, "baseUrl": sim_base})

    async def pair(conn: Connection) -> tuple[float, float]:
        started = time.perf_counter()
        created = await conn.request("POST", "/api/tasks", body, KEY)
        assert created.status == 201, created
        create_ms = (time.perf_counter() - started) * 1000
        task_id = json.loads(created.body)["id"]
        read = await conn.request("GET", f"/api/tasks/{task_id}", headers=KEY)
        assert created.status == 201 and read.status == 200, (created, read)
        return (time.perf_counter() - started) * 1000, create_ms

    return pair


ROUNDS = 5  # the three ways take turns, so drift in the machine's load hits them alike


async def measure(
    port: int, pair, pairs: int, concurrency: int, pids: list[int]
) -> tuple[list[tuple[float, float]], list[float]]:
    """((pair, create) times in ms, CPU seconds each of `pids` used for the timed pairs)."""
    connections = [await Connection.open(port) for _ in range(concurrency)]
    for conn in connections:  # warm up every connection (and the server's caches)
        await pair(conn)
    samples: list[tuple[float, float]] = []
    remaining = pairs

    async def worker(conn: Connection) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            samples.append(await pair(conn))

    cpu_before = [cpu_seconds(pid) for pid in pids]
    await asyncio.gather(*(worker(c) for c in connections))
    cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
    for conn in connections:
        conn.close()
    return samples, cpu


def side_by_side(targets: dict[str, tuple], pairs: int, concurrency: int) -> dict[str, dict]:
    """Each way measured in ROUNDS turns; medians over all turns (the pair's, and its create's
    under "create"), CPU ms per pair per process."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
    cpu: dict[str, list[float]] = {name: [0.0] * len(t[2]) for name, t in targets.items()}
    for _ in range(ROUNDS):
        for name, (port, pair, pids) in targets.items():
            times, used = asyncio.run(measure(port, pair, pairs // ROUNDS, concurrency, pids))
            samples[name] += times
            cpu[name] = [a + b for a, b in zip(cpu[name], used, strict=True)]
    return {
        name: {
            **summary([pair for pair, _create in samples[name]]),
            "create": summary([create for _pair, create in samples[name]]),
            "cpu_ms_per_pair": [1000 * c / len(samples[name]) for c in cpu[name]],
        }
        for name in targets
    }


async def _one_by_one(targets: dict[str, tuple], pairs: int) -> dict[str, dict]:
    """Concurrency 1, the ways taking turns pair by pair (each round in a rotated order), so a
    change in the machine's load between two pairs hits every way alike: on a loaded machine,
    turns of many pairs each left differences of several ms between two runs."""
    connections = {name: await Connection.open(port) for name, (port, _p, _ids) in targets.items()}
    for name, (_port, pair, _pids) in targets.items():
        await pair(connections[name])  # warm up every connection (and the server's caches)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
    cpu: dict[str, list[float]] = {name: [0.0] * len(t[2]) for name, t in targets.items()}
    names = list(targets)
    for index in range(pairs):
        start = index % len(names)
        for name in names[start:] + names[:start]:
            _port, pair, pids = targets[name]
            before = [cpu_seconds(pid) for pid in pids]
            samples[name].append(await pair(connections[name]))
            used = [cpu_seconds(pid) - b for pid, b in zip(pids, before, strict=True)]
            cpu[name] = [a + b for a, b in zip(cpu[name], used, strict=True)]
    for conn in connections.values():
        conn.close()
    return {
        name: {
            **summary([pair for pair, _create in samples[name]]),
            "create": summary([create for _pair, create in samples[name]]),
            "cpu_ms_per_pair": [1000 * c / len(samples[name]) for c in cpu[name]],
        }
        for name in targets
    }


async def reads_per_second(port: int, task_id: str, seconds: float, concurrency: int) -> float:
    connections = [await Connection.open(port) for _ in range(concurrency)]
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(conn: Connection) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            reply = await conn.request("GET", f"/api/tasks/{task_id}", headers=KEY)
            assert reply.status == 200
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    elapsed = time.perf_counter() - started
    for conn in connections:
        conn.close()
    return done / elapsed


async def finished_task(port: int, sim_base: str) -> str:
    conn = await Connection.open(port)
    created = await conn.request(
        "POST", "/api/tasks", json_body({**BODY, "baseUrl": sim_base}), KEY
    )
    task_id = json.loads(created.body)["id"]
    for _ in range(200):
        task = json.loads((await conn.request("GET", f"/api/tasks/{task_id}", headers=KEY)).body)
        if task["status"] in ("SUCCEEDED", "FAILED"):
            break
        await asyncio.sleep(0.1)
    conn.close()
    return task_id


@contextlib.contextmanager
def bare_passthrough(port: int):
    """bench/bare_passthrough.py under uvicorn, as the console runs (uvloop, httptools)."""
    command = [sys.executable, "-m", "uvicorn", "bench.bare_passthrough:app", "--port", str(port)]
    command += [
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/healthz")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(pairs: int, baseline: Path | None = None) -> dict[str, object]:
    """With `baseline` (another checkout of the project), its console runs beside this one,
    as a fourth way taking turns with the others: a before/after in one run, on a machine
    whose load drifts by more than the difference measured."""
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        sim_port, console_port, before_port = free_port(), free_port(), free_port()
        sim_env = {"CONSOLE_DATA_DIR": f"{tmp}/sim", "CONSOLE_SIMULATOR_SPEED": "5"}
        console_env = {
            "CONSOLE_DATA_DIR": f"{tmp}/console",
            "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
            "CONSOLE_POLL_INTERVAL_S": "5",
            # Like for like: the nginx it is compared with runs with `access_log off`.
            "CONSOLE_ACCESS_LOG": "false",
        }
        sim = stack.enter_context(server(["simulator"], sim_env, sim_port))
        console = stack.enter_context(server(["serve"], console_env, console_port))
        nginx_port, nginx_pid = stack.enter_context(nginx_proxy(sim_port))
        sim_base = f"http://127.0.0.1:{sim_port}"
        unlimited_account(sim_base, AUTH["Authorization"].removeprefix("Bearer "))
        consoles = {"console": (console_port, [console.pid, sim.pid])}
        bare_port = free_port()
        bare = stack.enter_context(bare_passthrough(bare_port))
        if baseline is not None:
            env = {**console_env, "CONSOLE_DATA_DIR": f"{tmp}/before"}
            before = stack.enter_context(server(["serve"], env, before_port, cwd=baseline))
            consoles["before"] = (before_port, [before.pid, sim.pid])

        def targets(body: dict) -> dict[str, tuple]:
            """port, pair, [the proxy's pid (if any), the simulator's pid]"""
            ways = {
                "direct": (sim_port, pair_direct(body), [sim.pid]),
                "nginx": (nginx_port, pair_direct(body), [nginx_pid, sim.pid]),
            }
            for name, (port, pids) in consoles.items():
                ways[name] = (port, pair_console(sim_base, body), pids)
            if body is BODY:  # the floor for the URL path (it does nothing with frames)
                ways["bare"] = (bare_port, pair_console(sim_base, body), [bare.pid, sim.pid])
            return ways

        urls, frames = targets(BODY), targets(FRAME_BODY)
        both = {f"url {k}": v for k, v in urls.items()}
        both |= {f"frame {k}": v for k, v in frames.items()}
        measured = asyncio.run(_one_by_one(both, pairs))  # the two paths take turns too
        results["c1"] = {k.removeprefix("url "): v for k, v in measured.items() if "url" in k}
        results["c1 frame"] = {
            k.removeprefix("frame "): v for k, v in measured.items() if "frame" in k
        }
        results["c50"] = side_by_side(urls, pairs * 3, 50)
        tasks = {
            name: asyncio.run(finished_task(port, sim_base)) for name, (port, _) in consoles.items()
        }
        rates: dict[str, list[float]] = {name: [] for name in consoles}
        for turn in range(ROUNDS):  # 1 s each in turns, like the pairs, so load drift hits both
            for name in list(consoles)[:: 1 if turn % 2 == 0 else -1]:
                port = consoles[name][0]
                rates[name].append(asyncio.run(reads_per_second(port, tasks[name], 1, 50)))
        for name, rate in rates.items():
            results[f"reads_per_s {name}"] = statistics.median(rate)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument(
        "--baseline", type=Path, help="another checkout whose console runs beside this one"
    )
    arguments = parser.parse_args()
    for name, value in report(run(arguments.pairs, arguments.baseline)):
        print(f"{name}: {value}")
