"""Task storage: records round-trip, history is scoped and ordered, refresh is coalesced."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.engine import Connection

from app.storage.database import Database
from app.storage.migrations import SCHEMA_VERSION
from app.storage.schema import schema_table
from app.storage.task_record import MAX_EXCHANGES, TaskRecord
from app.storage.task_store import EVENTS_BATCH, TaskStore
from tests.engines import PostgresServer


def record(task_id: str, owner: str = "key:a", created_at: float | None = None) -> TaskRecord:
    now = created_at or time.time()
    return TaskRecord(
        id=task_id,
        owner=owner,
        base_url="simulator",
        key_mask="hk-…a1b2",
        model="gen3a_turbo",
        prompt_text="waves",
        ratio="1280:768",
        duration=5,
        seed=7,
        request={"promptImage": [{"uri": "frame:abc"}]},
        status="PENDING",
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[TaskStore]:
    """Every test here runs on SQLite and on a real PostgreSQL."""
    store = TaskStore(Database(database_url))
    await store.database.migrate()
    yield store
    await store.database.close()


@pytest.fixture
async def sqlite_storage(tmp_path: Path) -> AsyncIterator[TaskStore]:
    store = TaskStore(Database(f"sqlite:///{tmp_path / 'test.db'}"))
    await store.database.migrate()
    yield store
    await store.database.close()


async def test_a_record_round_trips(storage: TaskStore) -> None:
    original = record("t1")
    original.output = ["https://x/y.mp4"]
    await storage.add(original)
    loaded = await storage.get("t1", "key:a")
    assert loaded == original


async def test_another_owner_cannot_see_a_task(storage: TaskStore) -> None:
    await storage.add(record("t1", owner="key:a"))
    assert await storage.get("t1", "key:b") is None
    assert await storage.list_tasks("key:b") == []
    assert await storage.delete("t1", "key:b") is None
    kept = await storage.get("t1", "key:a")  # read again: the refused delete removed nothing
    assert kept is not None and kept.id == "t1"
    assert [r.id for r in await storage.list_tasks("key:a")] == ["t1"]


async def test_history_is_newest_first_and_filterable(storage: TaskStore) -> None:
    for index in range(3):
        await storage.add(record(f"t{index}", created_at=1000 + index))
    done = record("done", created_at=900)
    done.status = "SUCCEEDED"
    await storage.add(done)
    assert [r.id for r in await storage.list_tasks("key:a")] == ["t2", "t1", "t0", "done"]
    assert [r.id for r in await storage.list_tasks("key:a", status="SUCCEEDED")] == ["done"]


async def test_refresh_is_claimed_once_per_interval_however_many_ask(storage: TaskStore) -> None:
    await storage.add(record("t1"))
    now = time.time()
    claims = await asyncio.gather(*(storage.claim_refresh("t1", now, 5) for _ in range(20)))
    assert claims.count(True) == 1
    assert not await storage.claim_refresh("t1", now + 4, 5)
    assert await storage.claim_refresh("t1", now + 5, 5)


async def test_a_final_task_is_never_claimed(storage: TaskStore) -> None:
    done = record("t1")
    done.status = "FAILED"
    await storage.add(done)
    assert not await storage.claim_refresh("t1", time.time(), 0)


async def test_the_database_is_in_wal_mode(sqlite_storage: TaskStore) -> None:
    mode = await sqlite_storage.database.run(
        lambda conn: conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    )
    assert mode == "wal"


async def test_reads_of_known_tasks_skip_the_database(sqlite_storage: TaskStore) -> None:
    """With SQLite the console is the only writer, so what it wrote or read it can serve."""
    storage = sqlite_storage
    statements: list[str] = []
    event.listen(
        storage.database._sync_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, sql, *_args: statements.append(sql),
    )
    running = record("t0")
    await storage.add(running)
    statements.clear()
    assert (await storage.get("t0", "key:a")).status == running.status
    running.status = "RUNNING"
    await storage.save(running, status_changed=True)
    statements.clear()
    assert (await storage.get("t0", "key:a")).status == "RUNNING"
    assert statements == []


async def test_tasks_are_served_from_memory_but_stay_exact(storage: TaskStore) -> None:
    done = record("t1")
    done.status, done.failure = "FAILED", "nope"
    await storage.add(done)
    first = await storage.get("t1", "key:a")
    assert first is not None and first.status == "FAILED"
    first.failure = "changed by a caller"  # a caller's changes never leak into the cache
    assert (await storage.get("t1", "key:a")).failure == "nope"
    assert await storage.get("t1", "key:b") is None, "the owner check still applies"
    done.failure = "saved again"
    await storage.save(done)
    assert (await storage.get("t1", "key:a")).failure == "saved again"
    await storage.delete("t1", "key:a")
    assert await storage.get("t1", "key:a") is None


async def test_the_status_histories_of_many_tasks_come_in_batches(storage: TaskStore) -> None:
    ids = [f"t{n}" for n in range(EVENTS_BATCH + 2)]  # more than one IN (...) list
    for task_id in ids:
        await storage.add(record(task_id))
    last = record(ids[-1])
    last.status, last.progress = "RUNNING", 0.5
    await storage.save(last, status_changed=True)
    histories = await storage.events_of([*ids, "unknown"])
    assert [e["status"] for e in histories[ids[-1]]] == ["PENDING", "RUNNING"]
    assert all(len(histories[task_id]) == 1 for task_id in ids[:-1])
    assert histories["unknown"] == []
    assert await storage.events(ids[-1]) == histories[ids[-1]]


async def test_a_save_after_a_delete_does_not_bring_the_task_back(storage: TaskStore) -> None:
    """A video copy can finish after its task was deleted; its save must not revive it."""
    late = record("t9")
    await storage.add(late)
    await storage.delete("t9", "key:a")
    late.status = "SUCCEEDED"
    await storage.save(late, status_changed=True)
    assert await storage.get("t9", "key:a") is None
    assert await storage.events("t9") == []


async def test_values_at_the_edges_of_their_real_range_round_trip(storage: TaskStore) -> None:
    """PostgreSQL enforces column types: the relay docs' own seed is 2**32 - 1."""
    edge = record("x" * 300)  # a relay's task id may be any length
    edge.seed = 4294967295
    edge.status = "SOME_RELAY_SPECIFIC_STATUS_NAME"
    edge.failure_code = "INTERNAL.BAD_OUTPUT." + "CODE" * 50
    edge.video_bytes = 5 * 2**30
    await storage.add(edge)
    await storage.save(edge, status_changed=True)
    assert await storage.get(edge.id, "key:a") == edge


async def test_tasks_from_before_other_endpoints_read_as_image_to_video(database_url: str) -> None:
    """Version 5 records each task's create endpoint; older rows were all image-to-video."""
    store = TaskStore(Database(database_url))
    try:
        await store.database.migrate()
        await store.add(record("old"))

        def back_to_v4(conn: Connection) -> None:
            for column in ("endpoint", "estimated_credits", "cost_credits"):  # v5 and v6's
                conn.exec_driver_sql(f"ALTER TABLE tasks DROP COLUMN {column}")
            conn.exec_driver_sql("DROP INDEX ix_sessions_member")  # and v7's
            conn.exec_driver_sql("ALTER TABLE sessions DROP COLUMN member")
            conn.exec_driver_sql("ALTER TABLE members DROP COLUMN max_running")
            conn.execute(update(schema_table).values(version=4))

        await store.database.run(back_to_v4, write=True)
        await store.database.migrate()
        assert (await store.get("old", "key:a")).endpoint == "image_to_video"
        newer = record("new")
        newer.endpoint = "text_to_video"
        await store.add(newer)
        assert (await store.get("new", "key:a")).endpoint == "text_to_video"
    finally:
        await store.database.close()


async def test_replicas_starting_together_migrate_once(database_url: str) -> None:
    """Several replicas run the migration at the same moment; one does it, none fails."""
    replicas = [Database(database_url) for _ in range(4)]
    try:
        await asyncio.gather(*(replica.migrate() for replica in replicas))
        stamps = await replicas[0].run(
            lambda conn: conn.execute(select(schema_table.c.version)).scalars().all()
        )
        assert stamps == [SCHEMA_VERSION]
    finally:
        await asyncio.gather(*(replica.close() for replica in replicas))


async def test_replicas_opening_a_new_sqlite_database_together_all_start(tmp_path: Path) -> None:
    """Each switches the new file to WAL, which needs it alone: SQLite refused the losers at
    once ('database is locked', about 1 start in 14 here) rather than letting them wait."""
    for attempt in range(120):
        url = f"sqlite:///{tmp_path / f'console-{attempt}.db'}"
        replicas = [Database(url) for _ in range(4)]
        try:
            await asyncio.gather(*(replica.migrate() for replica in replicas))
        finally:
            await asyncio.gather(*(replica.close() for replica in replicas))


async def test_a_version_1_postgres_database_is_widened(postgres: PostgresServer) -> None:
    """Version 1 made the seed a 32-bit INTEGER on PostgreSQL; the migration widens it."""
    store = TaskStore(Database(postgres.new_database()))
    try:
        await store.database.migrate()

        def back_to_v1(conn: Connection) -> None:
            conn.exec_driver_sql("ALTER TABLE tasks ALTER COLUMN seed TYPE INTEGER")
            conn.exec_driver_sql("ALTER TABLE task_events ALTER COLUMN task_id TYPE VARCHAR(64)")
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN video_holder")  # added by v3
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN video_lease_until")
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN upstream_id")  # added by v4
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN endpoint")  # added by v5
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN estimated_credits")  # by v6
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN cost_credits")
            conn.execute(update(schema_table).values(version=1))

        await store.database.run(back_to_v1, write=True)
        await store.database.migrate()
        task = record("t1")
        task.seed = 4294967295
        await store.add(task)
        assert (await store.get("t1", "key:a")).seed == 4294967295
    finally:
        await store.database.close()


async def test_with_postgres_a_read_sees_what_another_replica_wrote(
    postgres: PostgresServer,
) -> None:
    """Nothing is cached with PostgreSQL: each replica reads what the others saved."""
    url = postgres.new_database()
    one, two = TaskStore(Database(url)), TaskStore(Database(url))
    try:
        await one.database.migrate()
        task = record("t1")
        await one.add(task)
        assert (await one.get("t1", "key:a")).status == "PENDING"
        assert (await two.get("t1", "key:a")).status == "PENDING"
        task.status = "RUNNING"
        await two.save(task, status_changed=True)
        assert (await one.get("t1", "key:a")).status == "RUNNING"
        await two.delete("t1", "key:a")
        assert await one.get("t1", "key:a") is None
    finally:
        await one.database.close()
        await two.database.close()


def test_a_long_watched_task_keeps_its_create_among_the_exchanges_it_stores() -> None:
    """Only the latest exchanges are stored, but a task polled many times (a slow render, a
    busy machine) still shows the request that started it: the inspector's first line."""
    task = record("t-many")
    upload = {"method": "POST", "url": "https://up/v1/uploads", "status": 200}
    create = {"method": "POST", "url": "https://up/v1/image_to_video", "status": 200}
    polls = [{"method": "GET", "url": f"https://up/v1/tasks/{n}", "status": 200} for n in range(80)]
    task.exchanges = [upload, create, *polls]
    stored = json.loads(task.to_row()["exchanges_json"])
    assert stored[:2] == [upload, create] and stored[-1] == polls[-1]
    assert len(stored) == MAX_EXCHANGES
    task.exchanges = polls[:3]
    assert json.loads(task.to_row()["exchanges_json"]) == polls[:3]
