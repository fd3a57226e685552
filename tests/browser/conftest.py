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

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, sync_playwright

from tests.browser.kit import Watched


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test (`-m browser` selects them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "console_errors_expected(*texts): console errors this test provokes on purpose "
        "(each must contain one of the texts); any other still fails it",
    )


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


class ConsoleErrors:
    """Every console error and uncaught exception of every page of every context a test opens
    (CSP violations are console errors in Chromium)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.on("console", self._console)
        context.on("weberror", lambda error: self.seen.append(f"uncaught: {error.error}"))
        return context

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.seen.append(f"{message.text} ({where})")


@pytest.fixture(autouse=True)
def no_console_errors(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> ConsoleErrors:
    """Zero console errors in a whole session: every context a browser test opens is watched
    (checked when the test's body ends, by pytest_runtest_call below)."""
    errors = ConsoleErrors()
    opened = browser.new_context
    monkeypatch.setattr(browser, "new_context", lambda **kw: errors.watch(opened(**kw)))
    return errors


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A browser test fails on any console error it did not declare with
    `console_errors_expected`. Checked as its body ends, before teardown stops its console
    under pages that are still polling."""
    result = yield
    errors = getattr(item, "funcargs", {}).get("no_console_errors")
    if errors is not None:
        marker = item.get_closest_marker("console_errors_expected")
        allowed = marker.args if marker else ()
        unexpected = [e for e in errors.seen if not any(text in e for text in allowed)]
        assert not unexpected, "console errors:\n" + "\n".join(unexpected)
    return result


@pytest.fixture
def console_url(tmp_path: Path) -> Iterator[str]:
    yield from start_console(tmp_path)


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield Watched(context.new_page())
    context.close()
