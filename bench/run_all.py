"""Run every benchmark once and print one table (about two minutes on the project's 2-core VM).

Usage: python bench/run_all.py [--quick]
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


def main(quick: bool) -> None:
    started = time.perf_counter()
    rows: list[tuple[str, str]] = []
    rows += proxy_overhead.report(proxy_overhead.run(100 if quick else 300))
    rows += watchers.report(watchers.run(20 if quick else 60))
    rows += page_weight.report(page_weight.run())
    rows += uploads.report(uploads.run())
    rows += video_first_frame.report(video_first_frame.run(10))
    rows += startup.report(startup.run(5))
    print("history first page with 10,000 tasks:", flush=True)
    asyncio.run(history_page.main(10_000, 50))
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"\n(all benchmarks took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke check")
    main(parser.parse_args().quick)
