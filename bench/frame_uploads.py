"""A frame upload's latency on each engine, now that storing and claiming a frame hold the
frame guard (app/frames/guard.py: with PostgreSQL, an advisory lock on a connection of its own).

Usage: python bench/frame_uploads.py [--uploads 40]
Starts a real PostgreSQL and SeaweedFS (tests/engines.py), then for SQLite and for
PostgreSQL + S3 a console process: `--uploads` page uploads of distinct 640×384 PNGs, one after
another, each from its own key (median and p90 of all but the first 5), then 20 at once from
20 keys (the wall time for all of them).
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, server
from tests.engines import postgres_server, seaweed_server
from tests.helpers import image_bytes

SECRET = "bench-frame-uploads-secret-0123456789"


async def upload(http: httpx.AsyncClient, n: int) -> float:
    files = {"file": ("a.png", image_bytes((640, 384), (n % 256, 90, 30)), "image/png")}
    start = time.perf_counter()
    answer = await http.post(
        "/frames", params={"position": "first"}, files=files, headers={"X-Runway-Key": f"k-{n}"}
    )
    assert answer.status_code == 200 and "first_ref" in answer.text, answer.text[:200]
    return (time.perf_counter() - start) * 1000


async def measure(port: int, uploads: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        await http.get("/")
        http.headers["X-CSRF-Token"] = http.cookies["rc_csrf"]
        one_by_one = [await upload(http, n) for n in range(uploads)][5:]
        start = time.perf_counter()
        await asyncio.gather(*(upload(http, 1000 + n) for n in range(20)))
        at_once = (time.perf_counter() - start) * 1000
    ordered = sorted(one_by_one)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "twenty_at_once_ms": round(at_once, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=40)
    uploads = parser.parse_args().uploads
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as pg, seaweed_server() as s3:
        team = {"CONSOLE_DATABASE_URL": pg.new_database(), **s3.env()}
        for name, env in (("SQLite", {}), ("PostgreSQL+S3", team)):
            port = free_port()
            env = {"CONSOLE_DATA_DIR": f"{tmp}/{name}", "CONSOLE_SECRET_KEY": SECRET, **env}
            with server(["serve"], env, port):
                figures = asyncio.run(measure(port, uploads))
            print(json.dumps({"configuration": name, **figures}), flush=True)


if __name__ == "__main__":
    main()
