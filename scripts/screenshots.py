"""Regenerate the screenshots in docs/: the page before and after a successful run.

Usage: python scripts/screenshots.py  (needs the test extra and Debian's chromium)
"""

import math
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import CHROMIUM_ARGS as ARGS  # noqa: E402
from tests.helpers import free_port, live_process  # noqa: E402


def scene(path: Path, sun: float, hue: int) -> Path:
    """A small landscape: sky gradient, a sun, hills; something nicer than a flat colour."""
    width, height = 1280, 768
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=(int(40 + 180 * t), int(60 + 90 * t), 140 + hue - int(60 * t)),
        )
    draw.ellipse([sun * width - 70, 180, sun * width + 70, 320], fill=(255, 214, 120))
    for layer, shade in ((520, (40, 90, 70)), (600, (25, 60, 50))):
        points = [(x, layer + 40 * math.sin(x / 140 + layer)) for x in range(0, width + 20, 20)]
        draw.polygon([(0, height), *points, (width, height)], fill=shade)
    image.save(path)
    return path


def main() -> None:
    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        first, last = scene(tmp_path / "first.png", 0.25, 0), scene(tmp_path / "last.png", 0.7, 60)
        port = free_port()
        env = {
            "CONSOLE_DATA_DIR": str(tmp_path / "data"),
            "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.5",
        }
        with (
            live_process(["serve", "--port", str(port)], env, port, tmp_path / "log"),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.set_input_files(".file-input[data-position=first]", str(first))
            page.wait_for_selector("#slot-first img.thumb")
            page.set_input_files(".file-input[data-position=last]", str(last))
            page.wait_for_selector("#slot-last img.thumb")
            page.fill("#promptText", "Golden hour over the valley, slow dolly-in, clouds drifting")
            page.fill("#seed", "4294967295")
            page.screenshot(path=str(docs / "console-before.png"), full_page=True)
            page.click("#generate")
            page.wait_for_selector("#task-card .badge[data-status=RUNNING]", timeout=20_000)
            page.screenshot(path=str(docs / "console-running.png"), full_page=True)
            page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
            video = page.locator("#task-card video")
            video.evaluate("v => { v.muted = true; v.currentTime = 2.5; }")
            page.wait_for_timeout(2000)
            page.screenshot(path=str(docs / "console-after.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.locator(".topbar").scroll_into_view_if_needed()
            page.screenshot(path=str(docs / "console-phone.png"), full_page=False)
            browser.close()
    print("wrote", *sorted(p.name for p in docs.glob("console-*.png")))


if __name__ == "__main__":
    main()
