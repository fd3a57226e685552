"""Target 5: the stored MP4 (Range, Cache-Control) shows its first frame fast in the browser.

Usage: python bench/video_first_frame.py [--runs 10]
A 10 s task is run on the simulator and its copy saved; headless Chromium then loads it into a
fresh <video> element each run (a new URL each time, so nothing comes from the cache) and the
time from setting `src` to `loadeddata` (the first frame can be shown) is taken.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, server
from tests.helpers import CHROMIUM_ARGS as ARGS

MEASURE = """async (url) => {
  const video = document.createElement("video");
  video.muted = true; video.preload = "auto";
  const started = performance.now();
  const ready = new Promise((resolve, reject) => {
    video.addEventListener("loadeddata", resolve, { once: true });
    video.addEventListener("error", () => reject(new Error("video error")), { once: true });
  });
  video.src = url; document.body.appendChild(video);
  await ready;
  const elapsed = performance.now() - started;
  video.remove();
  return elapsed;
}"""


def run(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            "CONSOLE_DATA_DIR": tmp,
            "CONSOLE_SIMULATOR_SPEED": "5",
            "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.2",
        }
        with server(["serve"], env, port):
            base = f"http://127.0.0.1:{port}"
            task = httpx.post(
                f"{base}/api/tasks",
                json={
                    "model": "gen3a_turbo",
                    "promptImage": "https://example.com/a.jpg",
                    "promptText": "first frame",
                    "ratio": "1280:768",
                    "duration": 10,
                },
            ).json()
            for _ in range(300):
                task = httpx.get(f"{base}/api/tasks/{task['id']}").json()
                if task["videoSaved"]:
                    break
                time.sleep(0.1)
            head = httpx.get(task["videoUrl"], headers={"Range": "bytes=0-0"})
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page()
                page.goto(f"{base}/healthz")
                samples = [
                    page.evaluate(MEASURE, f"{task['videoUrl']}&run={i}") for i in range(runs)
                ]
                browser.close()
    return {
        "median": statistics.median(samples),
        "max": max(samples),
        "runs": runs,
        "status": head.status_code,
        "cache": head.headers.get("cache-control", ""),
        "size_kb": int(head.headers["content-range"].split("/")[1]) / 1024,
    }


def report(r: dict) -> list[tuple[str, str]]:
    return [
        (
            "stored 10 s video: first frame in Chromium",
            f"median {r['median']:.0f} ms, worst {r['max']:.0f} ms ({r['runs']} runs, "
            f"{r['size_kb']:.0f} KB file); Range → {r['status']}, Cache-Control: {r['cache']}",
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    for name, value in report(run(parser.parse_args().runs)):
        print(f"{name}: {value}")
