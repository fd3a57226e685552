"""Regenerate the console's screenshots in docs/: before, running and after a run, on a phone,
in Chinese, the inspector, side by side, the relay check and an unreachable relay. The demo
page has its own script (scripts/demo_screenshots.py).

Usage: python scripts/screenshots.py  (needs the test extra and Debian's chromium)
"""

import math
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import CHROMIUM_ARGS as ARGS  # noqa: E402
from tests.helpers import free_port, live_process  # noqa: E402

DOCS = ROOT / "docs"
DESKTOP = {"width": 1280, "height": 1000}
PHONE = {"width": 390, "height": 844}


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


def shot(page: Page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(DOCS / name), full_page=full_page)


def fill_frames(page: Page, first: Path, last: Path) -> None:
    page.set_input_files(".file-input[data-position=first]", str(first))
    page.wait_for_selector("#slot-first img.thumb")
    page.set_input_files(".file-input[data-position=last]", str(last))
    page.wait_for_selector("#slot-last img.thumb")


def still_at(page: Page, at: float = 2.5) -> None:
    """The players paused at a moment that shows the camera move, for a steady picture."""
    page.locator("video").first.wait_for()
    page.evaluate(
        f"document.querySelectorAll('video').forEach(v => {{ v.muted = true; v.pause(); "
        f"v.currentTime = {at}; }})"
    )
    page.wait_for_timeout(1500)


def main_flow(browser: Browser, url: str, first: Path, last: Path) -> None:
    """Before, running, after (with the inspector in its own picture), and the phone."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(url)
    fill_frames(page, first, last)
    page.fill("#promptText", "Golden hour over the valley, slow dolly-in, clouds drifting")
    page.fill("#seed", "4294967295")
    shot(page, "console-before.png")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=RUNNING]", timeout=20_000)
    shot(page, "console-running.png")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    page.wait_for_selector("#video-state.saved", timeout=30_000)
    still_at(page)
    shot(page, "console-after.png")
    page.click("#task-card .inspector > summary")
    page.click("#task-card .exchange:first-child summary")
    page.click("#task-card [data-lang=curl]")
    page.wait_for_selector("#task-card .code-preview:not([hidden])")
    page.locator("#task-card .inspector").screenshot(path=str(DOCS / "inspector.png"))
    page.close()
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(url)
    shot(page, "console-phone.png", full_page=False)
    phone.close()


def chinese(browser: Browser, url: str, first: Path) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    page.set_input_files(".file-input[data-position=first]", str(first))
    page.wait_for_selector("#slot-first img.thumb")
    page.fill("#promptText", "湖面上的晨雾，镜头缓缓推进")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    page.wait_for_selector("#video-state.saved", timeout=30_000)
    still_at(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "console-zh.png", full_page=False)
    context.close()


def side_by_side(browser: Browser, url: str) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(url)
    page.click("#slot-first .sample-pick >> nth=0")
    page.wait_for_selector("#slot-first img.thumb")
    page.fill("#runs", "4")
    page.click("#generate")
    page.wait_for_selector(".group-grid .task-card")
    for _ in range(400):
        if page.locator(".group-grid .badge[data-status=SUCCEEDED]").count() == 4:
            break
        page.wait_for_timeout(100)
    page.wait_for_selector("#history .history-group")
    still_at(page, 3.0)
    page.locator(".group").screenshot(path=str(DOCS / "side-by-side.png"))
    page.close()


def relay_check(browser: Browser, url: str) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(url)
    page.click("button:has-text('Check this address')")
    page.wait_for_selector("#relay-report .report-items")
    page.locator(".connection").screenshot(path=str(DOCS / "relay-check.png"))
    page.close()


def unreachable_relay(browser: Browser, url: str, first: Path) -> None:
    """An address typed without a scheme where nothing answers: said so, with http:// offered."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(url)
    page.set_input_files(".file-input[data-position=first]", str(first))
    page.wait_for_selector("#slot-first img.thumb")
    page.fill("#baseUrl", f"127.0.0.1:{free_port()}")
    page.dispatch_event("#baseUrl", "change")
    page.fill("#promptText", "Golden hour over the valley")
    page.click("#generate")
    page.wait_for_selector("#result .upstream-error [data-preset]")
    page.locator("#result .upstream-error").screenshot(path=str(DOCS / "relay-unreachable.png"))
    page.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        first, last = scene(tmp_path / "first.png", 0.25, 0), scene(tmp_path / "last.png", 0.7, 60)
        port = free_port()
        env = {
            "CONSOLE_DATA_DIR": str(tmp_path / "data"),
            "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.5",
            "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",  # a relay on loopback, for the last shot
        }
        url = f"http://127.0.0.1:{port}/"
        with (
            live_process(["serve", "--port", str(port)], env, port, tmp_path / "log"),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[*ARGS, "--autoplay-policy=no-user-gesture-required"],
            )
            main_flow(browser, url, first, last)
            chinese(browser, url, first)
            side_by_side(browser, url)
            relay_check(browser, url)
            unreachable_relay(browser, url, first)
            browser.close()
    print("wrote", *sorted(p.name for p in DOCS.glob("*.png") if not p.name.startswith("demo")))


if __name__ == "__main__":
    main()
