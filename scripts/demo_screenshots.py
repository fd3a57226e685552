"""Regenerate docs/demo-*.png: the demo page on a laptop, a phone, a projector, and in Chinese.

Usage: python scripts/demo_screenshots.py  (needs the test extra and Debian's chromium)
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import CHROMIUM_ARGS as ARGS  # noqa: E402
from tests.helpers import free_port, live_process  # noqa: E402

SHOTS = {  # name: (viewport, language, sample, what to show)
    "demo-desktop": ((1440, 900), "en", "Sample: Harbour at dawn", "share"),
    "demo-projector": ((1920, 1080), "en", "Sample: Northern lights", "compare"),
    "demo-phone": ((390, 844), "en", "Sample: Coral reef", "ready"),
    "demo-zh": ((1440, 900), "zh-CN", "示例：雾中森林", "working"),
}


def playing(page: Page) -> None:
    """Wait until the player's video has moved a little, so the picture is a real frame."""
    page.wait_for_selector("#stage[data-phase=ready]", timeout=60_000)
    video = page.locator("#stage video")
    for _ in range(100):
        if video.evaluate("v => v.readyState >= 2 && v.currentTime > 1.5"):
            return
        page.wait_for_timeout(100)


def shoot(browser: Browser, url: str, name: str) -> None:
    (width, height), language, sample, show = SHOTS[name]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale=language,
        is_mobile=width < 500,
        device_scale_factor=1,
    )
    page = context.new_page()
    page.goto(f"{url}/demo")
    page.get_by_role("button", name=sample).click()
    page.locator("#animate").click()
    if show == "working":
        page.wait_for_selector("#stage[data-phase=working] .tick")
        page.wait_for_timeout(3500)
    else:
        playing(page)
    if show == "share":
        page.get_by_role("button", name="Share link").click()
        page.wait_for_selector("#share-url")
    if show == "compare":
        page.locator("[data-compare]").click()
        page.wait_for_timeout(800)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ROOT / "docs" / f"{name}.png"), full_page=width < 500)
    context.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            "CONSOLE_DATA_DIR": str(Path(tmp) / "data"),
            "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.5",
        }
        with (
            live_process(["serve", "--port", str(port)], env, port, Path(tmp) / "log"),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[*ARGS, "--autoplay-policy=no-user-gesture-required"],
            )
            for name in SHOTS:
                shoot(browser, f"http://127.0.0.1:{port}", name)
            browser.close()
    print("wrote", *(f"docs/{name}.png" for name in SHOTS))


if __name__ == "__main__":
    main()
