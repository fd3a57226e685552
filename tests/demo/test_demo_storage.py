"""The demo's rows on both engines: the daily allowance, Clear, and share links' lifetimes."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from app.core.timestamps import day_of
from app.demo.sessions import REPEATED, DemoSessions
from app.exports.share_links import LinkState, ShareLinks
from app.storage.database import Database
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore

OWNER = "demo:0123456789abcdef0123456789abcdef"


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[TaskStore]:
    """Every test here runs on SQLite and on a real PostgreSQL."""
    store = TaskStore(Database(database_url))
    await store.database.migrate()
    yield store
    await store.database.close()


async def add_task(storage: TaskStore, task_id: str = "task-1") -> None:
    record = TaskRecord(
        id=task_id,
        owner=OWNER,
        base_url="simulator",
        key_mask="",
        model="gen3a_turbo",
        prompt_text="x",
        ratio="1280:768",
        duration=5,
        seed=1,
        request={},
        status="SUCCEEDED",
    )
    await storage.add(record)


async def test_the_allowance_holds_per_day_and_under_concurrent_clicks(storage: TaskStore) -> None:
    sessions = DemoSessions(storage.database)
    now = time.time()
    granted = await asyncio.gather(*(sessions.reserve(OWNER, 25, 60, now=now) for _ in range(5)))
    assert sorted(granted, key=str) == [25, 25, None, None, None]
    await sessions.refund(OWNER, 25, now)
    assert await sessions.reserve(OWNER, 25, 60, now=now)
    assert await sessions.reserve(OWNER, 25, 60, now=now) is None
    tomorrow = now + 86400
    assert day_of(tomorrow) != day_of(now)
    assert await sessions.reserve(OWNER, 50, 60, now=tomorrow)
    assert await sessions.reserve("demo:other", 70, 60, now=now) is None
    assert await sessions.reserve("demo:other", 70, 0, now=now) == 0  # 0: no cap, no count


async def test_a_repeated_form_counts_once(storage: TaskStore) -> None:
    sessions = DemoSessions(storage.database)
    now = time.time()
    counted = await asyncio.gather(*(sessions.reserve(OWNER, 25, 60, "f1", now) for _ in range(4)))
    assert sorted(counted) == [REPEATED, REPEATED, REPEATED, 25]
    assert await sessions.reserve(OWNER, 25, 60, "f2", now) == 25
    assert await sessions.reserve(OWNER, 25, 60, "f3", now) is None
    await sessions.refund(OWNER, 25, now)
    assert await sessions.reserve(OWNER, 25, 60, "f3", now) == 25


async def test_clear_is_remembered_and_keeps_the_spending(storage: TaskStore) -> None:
    sessions = DemoSessions(storage.database)
    assert await sessions.cleared_at(OWNER) == 0.0
    assert await sessions.reserve(OWNER, 50, 60, now=1000.0)
    await sessions.clear(OWNER, 2000.0)
    assert await sessions.cleared_at(OWNER) == 2000.0
    assert await sessions.reserve(OWNER, 25, 60, now=1000.0) is None


async def test_a_share_link_opens_until_it_expires_or_is_revoked(storage: TaskStore) -> None:
    await add_task(storage)
    links = ShareLinks(storage.database, b"secret", lifetime_s=60)
    share = await links.create("task-1", OWNER, now=1000.0)
    token = links.token(share)
    found = await links.resolve(token)
    assert found == share and found.state(1059.0) is LinkState.OPEN
    assert found.state(1060.0) is LinkState.EXPIRED
    assert await links.open_for("task-1", OWNER, now=1030.0) == share
    assert await links.open_for("task-1", "demo:someone-else", now=1030.0) is None
    assert await links.tasks_with_open_links(OWNER, now=1030.0) == {"task-1"}
    assert await ShareLinks(storage.database, b"other secret", 60).resolve(token) is None
    assert await links.revoke("task-1", OWNER, now=1040.0) == 1
    revoked = await links.resolve(token)
    assert revoked is not None and revoked.state(1041.0) is LinkState.REVOKED
    assert await links.open_for("task-1", OWNER, now=1041.0) is None
    await storage.delete("task-1", OWNER)
    assert await links.resolve(token) is None  # a deleted result takes its links with it
