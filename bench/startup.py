"""Target 6: `runway-console` answers /healthz soon after launch.

Usage: python bench/startup.py [--runs 5]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, free_port


def once() -> float:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "--port", str(port)],
            env={**os.environ, "CONSOLE_DATA_DIR": tmp},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    if (
                        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.2).status_code
                        == 200
                    ):
                        return time.perf_counter() - started
                except httpx.HTTPError:
                    time.sleep(0.005)
        finally:
            process.terminate()
            process.wait(timeout=10)


def run(runs: int) -> dict[str, float]:
    samples = [once() for _ in range(runs)]
    return {"median": statistics.median(samples), "max": max(samples), "runs": runs}


def report(r: dict) -> list[tuple[str, str]]:
    return [
        (
            "launch → /healthz 200",
            f"median {r['median']:.2f} s, worst {r['max']:.2f} s ({r['runs']} runs)",
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    for name, value in report(run(parser.parse_args().runs)):
        print(f"{name}: {value}")
