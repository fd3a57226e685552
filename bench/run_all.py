"""Run every benchmark once and print one table (about two minutes on the project's 2-core VM).

Usage: python bench/run_all.py [--quick] [--only proxy_overhead,page_weight]
`--only` runs the named benchmarks alone: those two give every row of issue 28's table.
Needs the test extra (Playwright), Debian's chromium and nginx. Everything talks to 127.0.0.1.
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    history_page,
    page_weight,
    proxy_overhead,
    startup,
    uploads,
    video_first_frame,
    watchers,
)


def main(quick: bool, only: set[str]) -> None:
    started = time.perf_counter()
    rows: list[tuple[str, str]] = []
    chosen = only or {"all"}

    def wanted(name: str) -> bool:
        return "all" in chosen or name in chosen

    if wanted("proxy_overhead"):
        rows += proxy_overhead.report(proxy_overhead.run(100 if quick else 300))
    if wanted("watchers"):
        rows += watchers.report(watchers.run(20 if quick else 60))
    if wanted("page_weight"):
        rows += page_weight.report(page_weight.run())
    if wanted("uploads"):
        rows += uploads.report(uploads.run())
    if wanted("video_first_frame"):
        rows += video_first_frame.report(video_first_frame.run(10))
    if wanted("startup"):
        rows += startup.report(startup.run(5))
    if wanted("history_page"):
        print("history first page with 10,000 tasks:", flush=True)
        asyncio.run(history_page.main(10_000, 50))
    width = max((len(name) for name, _ in rows), default=0)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"\n(all benchmarks took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke check")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    arguments = parser.parse_args()
    main(arguments.quick, {name for name in arguments.only.split(",") if name})
