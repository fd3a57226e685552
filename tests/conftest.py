"""Fixtures: a fresh app and data dir per test; live servers on 127.0.0.1 ports when asked;
real PostgreSQL and SeaweedFS servers, started once per session, for the tests that use them.
"""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core.settings import Settings
from app.main import create_app
from tests.engines import (
    EngineMissing,
    PostgresServer,
    SeaweedServer,
    pg_bin_dir,
    postgres_server,
    seaweed_server,
    weed_binary,
)
from tests.helpers import free_port, live_process

# The scripted relay on loopback and a console allowed to call it (`relay`, `relay_console`).
pytest_plugins = ["tests.relay_stub"]

# Replicas sharing a database share this, so sessions and media links hold on each of them.
TEAM_SECRET = "test-team-secret-0123456789abcdef"

CONSOLE_URL = "http://console"  # in-process clients' base URL; answers' absolute URLs use it

FAST_ENV = {
    "CONSOLE_SIMULATOR_SPEED": "5",
    "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.2",
    "CONSOLE_POLL_INTERVAL_S": "0.2",
}


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "CONSOLE_DATA_DIR": data_dir,
        "CONSOLE_SIMULATOR_SPEED": 5,
        "CONSOLE_SIMULATOR_POLL_INTERVAL_S": 0.2,
        "CONSOLE_POLL_INTERVAL_S": 0.2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[FastAPI]:
    """The console's app from `create_app`, its lifespan run (start-up, then shut-down): for
    tests that reach its services or open several clients on it; others take `in_process`."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def asgi_client(
    app: FastAPI,
    *,
    address: str | None = None,
    base_url: str = CONSOLE_URL,
    raise_app_exceptions: bool = True,
    **options: Any,
) -> httpx.AsyncClient:
    """A client of `app` in process, through httpx's ASGI transport (no socket): from a given
    client `address` for the tests of per-address limits, else httpx's default."""
    transport = httpx.ASGITransport(
        app,
        raise_app_exceptions=raise_app_exceptions,
        **({"client": (address, 40000)} if address else {}),
    )
    return httpx.AsyncClient(transport=transport, base_url=base_url, **options)


async def opened(http: httpx.AsyncClient, page: str = "/") -> httpx.AsyncClient:
    """Load `page` first, as a browser does: it sets the CSRF cookie (and, on /demo, the demo
    session), and the page's htmx requests echo the token, as this client now does too."""
    await http.get(page)
    http.headers["X-CSRF-Token"] = http.cookies["rc_csrf"]
    return http


@asynccontextmanager
async def in_process(
    settings: Settings, *, first_page: str | None = "/", **options: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The console in process (lifespan run), reached through httpx's ASGI transport, having
    `opened` `first_page` (None: nothing is sent first). `options` go to `asgi_client`."""
    async with started(settings) as app, asgi_client(app, **options) as http:
        if first_page is not None:
            await opened(http, first_page)
        yield http


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(settings) as http:
        yield http


@pytest.fixture
def live_simulator(tmp_path: Path) -> Iterator[str]:
    """`runway-console simulator` on a 127.0.0.1 port; yields its base URL."""
    port = free_port()
    env = {**FAST_ENV, "CONSOLE_DATA_DIR": str(tmp_path / "simdata")}
    with live_process(["simulator", "--port", str(port)], env, port, tmp_path / "sim.log"):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def live_console(tmp_path: Path) -> Iterator[str]:
    """`runway-console serve` on a 127.0.0.1 port, allowed to call loopback upstreams."""
    port = free_port()
    env = {
        **FAST_ENV,
        "CONSOLE_DATA_DIR": str(tmp_path / "console"),
        "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
    }
    with live_process(["serve", "--port", str(port)], env, port, tmp_path / "console.log"):
        yield f"http://127.0.0.1:{port}"


def _engine_missing(exc: EngineMissing) -> None:
    """Skip where an engine is not installed; under CI, where it must be, fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {exc}", pytrace=False)
    pytest.skip(str(exc))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL for the session; each test takes a fresh database from it."""
    try:
        pg_bin_dir()
    except EngineMissing as exc:
        _engine_missing(exc)
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def seaweed() -> Iterator[SeaweedServer]:
    """One real SeaweedFS S3 server for the session; each test takes a fresh key prefix."""
    try:
        weed_binary()
    except EngineMissing as exc:
        _engine_missing(exc)
    with seaweed_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that asks runs twice: on SQLite in its data dir, and on a fresh PostgreSQL
    database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'console.db'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture(params=["single", "team"])
def engine_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for the two ways to deploy (modules that run on both alias `settings` to this):
    `single` keeps everything in the data dir (SQLite, files); `team` keeps nothing there (a
    fresh PostgreSQL database, a fresh prefix in the SeaweedFS bucket)."""
    if request.param == "single":
        return make_settings(tmp_path / "data", CONSOLE_SECRET_KEY=TEAM_SECRET)
    postgres: PostgresServer = request.getfixturevalue("postgres")
    seaweed: SeaweedServer = request.getfixturevalue("seaweed")
    return make_settings(
        tmp_path / "data",
        CONSOLE_DATABASE_URL=postgres.new_database(),
        CONSOLE_SECRET_KEY=TEAM_SECRET,
        **seaweed.env(),
    )
