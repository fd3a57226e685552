"""How fast the first page of history renders with 10,000 tasks in the store.

Usage: python bench/history_page.py [--tasks 10000] [--runs 50]
Builds a fresh data dir, fills the SQLite store for one key, then times `GET /history` (the
htmx fragment the page loads) and `GET /api/tasks?limit=25` in process, median and p95.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.settings import Settings
from app.main import create_app
from app.storage.schema import tasks_table
from app.storage.task_record import TaskRecord
from app.web.deps import services

KEY = "hk-bench-history-key-0001"


def fake(index: int, owner: str) -> dict:
    now = 1_700_000_000.0 + index
    record = TaskRecord(
        id=f"bench-{index:06d}",
        owner=owner,
        base_url="simulator",
        key_mask="hk-…0001",
        model="gen3a_turbo",
        prompt_text=f"benchmark prompt number {index} with some words",
        ratio="1280:768",
        duration=5,
        seed=index,
        request={"promptImage": [{"uri": "https://example.com/a.jpg", "position": "first"}]},
        status="SUCCEEDED" if index % 10 else "FAILED",
        progress=1.0,
        output=["https://example.com/out.mp4"],
        created_at=now,
        updated_at=now,
        finished_at=now,
    )
    return record.to_row()


async def timed(client: httpx.AsyncClient, url: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(url, headers={"X-Runway-Key": KEY})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


async def main(tasks: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, CONSOLE_DATA_DIR=Path(tmp))
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            container = services(app)
            service = container.running.tasks
            owner = service.caller(KEY).owner
            rows = [fake(i, owner) for i in range(tasks)]
            await container.database.run(
                lambda conn: conn.execute(tasks_table.insert(), rows), write=True
            )
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await timed(client, "/history", 5)  # warm up
                for url in ("/history", "/api/tasks?limit=25"):
                    samples = sorted(await timed(client, url, runs))
                    p95 = samples[int(len(samples) * 0.95) - 1]
                    print(
                        f"{url:24} tasks={tasks} runs={runs} "
                        f"median={statistics.median(samples):.1f} ms p95={p95:.1f} ms"
                    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.tasks, arguments.runs))
