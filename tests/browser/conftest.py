"""Browser fixtures: one headless Debian Chromium per module, a fresh console per test."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, free_port, live_process

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI=true but {CHROMIUM} is missing: install Debian's chromium")
    collect_ignore_glob = ["test_*.py"]  # skipped, not failed, on a machine without Chromium

from playwright.sync_api import Browser, sync_playwright

from tests.browser.kit import Watched


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test (`-m browser` selects them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        yield browser
        browser.close()


def start_console(tmp_path: Path, **extra: str) -> Iterator[str]:
    """The console at real-time simulator speed, so RUNNING is visible between polls."""
    port = free_port()
    env = {
        "CONSOLE_DATA_DIR": str(tmp_path / "data"),
        "CONSOLE_SIMULATOR_SPEED": "1",
        "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.5",
        **extra,
    }
    with live_process(["serve", "--port", str(port)], env, port, tmp_path / "console.log"):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def console_url(tmp_path: Path) -> Iterator[str]:
    yield from start_console(tmp_path)


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield Watched(context.new_page())
    context.close()
