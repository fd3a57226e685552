"""The demo's shared daily caps: a new or made-up cookie starts no new allowance (issue 22).

Each session has its allowance (CONSOLE_DEMO_CREDITS); every session from one client address
shares that address's cap, and every session of the console shares the console's. The caps are
rows in the database (app/demo/pools.py), so they hold across replicas: two consoles on one
database share them. The refusal is said on the page, before any upstream call.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
from bs4 import BeautifulSoup
from fastapi import FastAPI

from app.demo.pools import DemoPools, PoolCaps, PoolsFull
from app.storage.database import Database
from tests.conftest import TEAM_SECRET, asgi_client, make_settings, opened, started

POOLS_FULL = "The demo has made all the videos it can today"
SESSION_SPENT = "used today's allowance"


@asynccontextmanager
async def browser_at(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh browser (no cookies) at a client address."""
    async with asgi_client(app, address=address) as http:
        yield await opened(http, "/demo")  # the demo session and CSRF cookies


@asynccontextmanager
async def console(data_dir: Path, **settings: object) -> AsyncIterator[FastAPI]:
    async with started(make_settings(data_dir, CONSOLE_SECRET_KEY=TEAM_SECRET, **settings)) as app:
        yield app


async def animate(http: httpx.AsyncClient) -> str:
    answer = await http.post("/demo/animate", data={"sample": "harbour-dawn"})
    assert answer.status_code == 200
    return BeautifulSoup(answer.text, "html.parser").get_text(" ", strip=True)


async def creates(app: FastAPI) -> int:
    async with browser_at(app, "127.0.0.1") as http:
        return (await http.get("/simulator/_sim/stats")).json().get("create", 0)


async def test_new_cookies_from_one_address_share_its_allowance(tmp_path: Path) -> None:
    async with console(tmp_path / "data", CONSOLE_DEMO_CREDITS=50) as app:
        async with browser_at(app, "203.0.113.7") as first:
            for _ in range(2):
                assert POOLS_FULL not in await animate(first)
            assert SESSION_SPENT in await animate(first)
        for _ in range(3):  # a new cookie each time, as an attacker makes them
            async with browser_at(app, "203.0.113.7") as fresh:
                assert POOLS_FULL in await animate(fresh)
                page = await fresh.get("/demo")  # said up front, before anyone presses Animate
                notice = BeautifulSoup(page.text, "html.parser").select_one("#notice")
                assert notice is not None and POOLS_FULL in notice.text
        async with browser_at(app, "198.51.100.9") as elsewhere:
            assert POOLS_FULL not in (await elsewhere.get("/demo")).text
            assert POOLS_FULL not in await animate(elsewhere)
        assert await creates(app) == 3


async def test_the_console_cap_holds_across_addresses_and_replicas(
    tmp_path: Path, database_url: str
) -> None:
    """Two consoles on one database, six addresses: 75 credits a day make three videos."""
    caps = {"CONSOLE_DEMO_CREDITS": 50, "CONSOLE_DEMO_CONSOLE_CREDITS": 75}
    async with AsyncExitStack() as stack:
        replicas = [
            await stack.enter_async_context(
                console(tmp_path / f"data{i}", CONSOLE_DATABASE_URL=database_url, **caps)
            )
            for i in range(2)
        ]
        browsers = [
            await stack.enter_async_context(browser_at(replicas[i % 2], f"192.0.2.{i}"))
            for i in range(6)
        ]
        texts = await asyncio.gather(*(animate(browser) for browser in browsers))
        assert sum(POOLS_FULL in text for text in texts) == 3, texts
        assert sum([await creates(app) for app in replicas]) == 3


async def test_pools_reserve_atomically_and_refund(database_url: str) -> None:
    storage = Database(database_url)
    await storage.migrate()
    try:
        pools = DemoPools(storage, b"secret", PoolCaps(address=60, console=100))
        now = time.time()

        async def one(address: str) -> bool:
            try:
                await pools.reserve(address, 25, now)
            except PoolsFull:
                return False
            return True

        granted = await asyncio.gather(*(one(f"10.0.0.{i % 3}") for i in range(12)))
        assert sum(granted) == 4  # the console's 100 / 25, whichever addresses came first
        await pools.refund("10.0.0.0", 25, now)
        assert await one("10.0.0.9")
        assert not await one("10.0.0.8")
        await pools.reserve("10.0.0.8", 25, now + 86400)  # tomorrow: a fresh day
    finally:
        await storage.close()


async def test_the_shared_caps_hold_when_sessions_have_no_allowance(tmp_path: Path) -> None:
    """CONSOLE_DEMO_CREDITS=0 turns off each session's allowance, not the address's or the
    console's caps set explicitly: new cookies from one address still share its 50 credits."""
    caps = {"CONSOLE_DEMO_CREDITS": 0, "CONSOLE_DEMO_ADDRESS_CREDITS": 50}
    async with console(tmp_path / "data", **caps) as app:
        texts = []
        for _ in range(3):
            async with browser_at(app, "203.0.113.8") as fresh:
                texts.append(await animate(fresh))
        assert [POOLS_FULL in text for text in texts] == [False, False, True], texts
        assert await creates(app) == 2
