"""Task history in SQL through SQLAlchemy 2 Core: SQLite (WAL) by default, or PostgreSQL
(asyncpg) shared by several replicas.

The one owner of the database. Refresh coalescing is a compare-and-set on `last_checked_at`, so
however many browsers (or processes) watch a task, one of them asks upstream per interval.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from sqlalchemy import (
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from app.frames.guard import SharedOrAlone, advisory
from app.frames.release import released
from app.storage.migrations import migrate
from app.storage.schema import (
    task_events_table,
    task_frames_table,
    tasks_table,
)
from app.storage.sqlite_pragmas import sqlite_pragmas
from app.storage.sqlite_space import enable_incremental_vacuum, give_space_back
from app.storage.task_record import TaskRecord
from app.storage.task_statements import (
    CLAIM_ANY,
    CLAIM_NOT_FINAL,
    INSERT_EVENT,
    INSERT_TASK,
    SELECT_MINE,
    UPDATE_TASK,
    VIDEO_COLUMNS,
)

T = TypeVar("T")
RECORD_CACHE_SIZE = 1_000  # tasks being watched are few; each may carry 40 exchanges
EVENTS_BATCH = 500  # task ids per IN (...) list, well within SQLite's parameter limit


def _log_status(conn: Connection, record: TaskRecord, at: float) -> None:
    """One line of the task's status history (shown in exports and shared runs)."""
    conn.execute(
        INSERT_EVENT,
        {"task_id": record.id, "at": at, "status": record.status, "progress": record.progress},
    )


def _mine(task_id: str, owner: str) -> Any:
    return and_(tasks_table.c.id == task_id, tasks_table.c.owner == owner)


class Storage:
    """Reads and writes of task records, their status events and the frames they use.

    Each operation is one synchronous function of a SQLAlchemy Core connection, so the SQL is
    written once. With SQLite it runs whole on one dedicated thread (one hop per operation,
    writes naturally one at a time, which SQLite wants); an async driver such as aiosqlite
    hops threads for every cursor call, which profiling showed cost ~2 ms a query. Other
    databases (PostgreSQL through asyncpg) run the same functions through `run_sync`.
    """

    def __init__(self, url: str) -> None:
        self._sqlite = url.startswith("sqlite")
        self._executor: ThreadPoolExecutor | None = None
        self._async_engine: AsyncEngine | None = None
        if self._sqlite:
            sync_url = url.replace("sqlite+aiosqlite", "sqlite", 1)
            self._sync_engine = create_engine(
                sync_url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
            event.listen(self._sync_engine, "connect", sqlite_pragmas)
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite")
        else:
            self._async_engine = create_async_engine(url)
            # The frame guard's locks, on connections of their own (app/frames/guard.py): the
            # guarded work never waits for a connection a lock holds.
            self._lock_engine = create_async_engine(url, pool_size=2, max_overflow=10)
        # With SQLite this process is the database's only writer, so the records it has read
        # or written, kept here as its own saves and deletes leave them, are exact: a task
        # read is served without a trip to the database thread. PostgreSQL may have several
        # replicas writing, so nothing is cached there.
        self._records: dict[str, TaskRecord] = {}
        self._frames_guard = SharedOrAlone()

    def frames_guard(self, alone: bool = False) -> AbstractAsyncContextManager[None]:
        """Shared while a frame is stored and claimed, alone while one is removed
        (app/frames/guard.py)."""
        if self._async_engine is not None:
            return advisory(self._lock_engine, alone)
        return self._frames_guard.hold(alone)

    async def run(self, work: Callable[[Connection], T], *, write: bool = False) -> T:
        """Run `work(connection)` in a transaction (committed when `write`)."""
        if self._executor is not None:

            def call() -> T:
                opened = self._sync_engine.begin() if write else self._sync_engine.connect()
                with opened as conn:
                    return work(conn)

            return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        assert self._async_engine is not None
        opened_async = self._async_engine.begin() if write else self._async_engine.connect()
        async with opened_async as conn:
            return await conn.run_sync(work)

    async def migrate(self) -> None:
        await self.run(migrate, write=True)
        if self._executor is not None:
            await self._on_sqlite_thread(enable_incremental_vacuum)

    async def _on_sqlite_thread(self, work: Callable[[Engine], None]) -> None:
        """Run `work(engine)` on the one SQLite thread, outside any transaction."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, work, self._sync_engine)

    async def close(self) -> None:
        if self._executor is not None:
            await asyncio.get_running_loop().run_in_executor(
                self._executor, self._sync_engine.dispose
            )
            self._executor.shutdown(wait=True)
        elif self._async_engine is not None:
            await self._async_engine.dispose()
            await self._lock_engine.dispose()

    async def add(
        self, record: TaskRecord, frame_shas: frozenset[str] | set[str] = frozenset()
    ) -> None:
        """Insert a new task with its first status event and the frames it uses."""

        row = record.to_row()

        def work(conn: Connection) -> None:
            conn.execute(INSERT_TASK, row)
            _log_status(conn, record, record.created_at)
            if frame_shas:
                conn.execute(
                    insert(task_frames_table),
                    [{"task_id": record.id, "sha256": sha} for sha in frame_shas],
                )

        await self.run(work, write=True)
        self._remember(record)

    async def save(self, record: TaskRecord, *, status_changed: bool = False) -> None:
        """Write a record back (not its refresh claim); log an event when the status changed."""
        self._records.pop(record.id, None)
        row = record.to_row()
        for column in ("last_checked_at", *VIDEO_COLUMNS):
            row.pop(column)
        row["task_id"] = row.pop("id")

        def work(conn: Connection) -> bool:
            if conn.execute(UPDATE_TASK, row).rowcount != 1:
                return False  # deleted meanwhile (a video copy finishing late): stays gone
            if status_changed:
                _log_status(conn, record, record.updated_at)
            return True

        if await self.run(work, write=True):
            self._remember(record)

    def forget(self, task_id: str) -> None:
        """Drop a kept copy after a write that bypassed `save` (a video copy's outcome)."""
        self._records.pop(task_id, None)

    def forget_all(self) -> None:
        """Drop every kept copy: after a write that changed many records' owner (a rename)."""
        self._records.clear()

    @property
    def one_writer(self) -> bool:
        """Whether this process is the database's only writer (SQLite, on one thread)."""
        return self._sqlite

    def _remember(self, record: TaskRecord) -> None:
        """Keep a copy of a record as just written or read (SQLite only; see __init__)."""
        if not self._sqlite:
            return
        if len(self._records) >= RECORD_CACHE_SIZE and record.id not in self._records:
            self._records.clear()
        self._records[record.id] = record.copy()

    async def get(self, task_id: str, owner: str) -> TaskRecord | None:
        cached = self._records.get(task_id)
        if cached is not None:
            return cached.copy() if cached.owner == owner else None

        def work(conn: Connection) -> TaskRecord | None:
            row = conn.execute(SELECT_MINE, {"task_id": task_id, "owner": owner}).first()
            return TaskRecord.from_row(row) if row else None

        record = await self.run(work)
        if record is not None:
            self._remember(record)
        return record

    async def get_any(self, task_id: str) -> TaskRecord | None:
        """Regardless of owner: for background work that has no caller (video copies)."""

        def work(conn: Connection) -> TaskRecord | None:
            row = conn.execute(select(tasks_table).where(tasks_table.c.id == task_id)).first()
            return TaskRecord.from_row(row) if row else None

        return await self.run(work)

    async def list_tasks(
        self,
        owner: str,
        limit: int = 50,
        status: str | None = None,
        before: float | None = None,
    ) -> list[TaskRecord]:
        """Newest first; `before` (a created_at) pages on: deep pages are as fast as the first."""
        query = select(tasks_table).where(tasks_table.c.owner == owner)
        if status:
            query = query.where(tasks_table.c.status == status)
        if before is not None:
            query = query.where(tasks_table.c.created_at < before)
        query = query.order_by(tasks_table.c.created_at.desc()).limit(limit)
        return await self.run(
            lambda conn: [TaskRecord.from_row(row) for row in conn.execute(query).all()]
        )

    async def list_group(self, group_id: str, owner: str) -> list[TaskRecord]:
        """The runs of one side-by-side group, in the order they were started."""
        query = (
            select(tasks_table)
            .where(and_(tasks_table.c.group_id == group_id, tasks_table.c.owner == owner))
            .order_by(tasks_table.c.created_at)
        )
        return await self.run(
            lambda conn: [TaskRecord.from_row(row) for row in conn.execute(query).all()]
        )

    async def events(self, task_id: str) -> list[dict[str, Any]]:
        return (await self.events_of([task_id]))[task_id]

    async def events_of(self, task_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Each task's status history, oldest first, in one query per 500 tasks (an export of
        the whole history would otherwise make one query per task)."""
        columns = (task_events_table.c.at, task_events_table.c.status, task_events_table.c.progress)

        def work(conn: Connection) -> dict[str, list[dict[str, Any]]]:
            found: dict[str, list[dict[str, Any]]] = {task_id: [] for task_id in task_ids}
            for start in range(0, len(task_ids), EVENTS_BATCH):
                batch = task_ids[start : start + EVENTS_BATCH]
                query = (
                    select(task_events_table.c.task_id, *columns)
                    .where(task_events_table.c.task_id.in_(batch))
                    .order_by(task_events_table.c.id)
                )
                for row in conn.execute(query):
                    event = dict(row._mapping)
                    found[event.pop("task_id")].append(event)
            return found

        return await self.run(work)

    async def claim_refresh(
        self, task_id: str, now: float, interval_s: float, *, include_final: bool = False
    ) -> bool:
        """Compare-and-set: True for exactly one caller per interval for a task not yet final.

        `include_final` lets a finished task be read again, only to get fresh output URLs.
        """
        query = CLAIM_ANY if include_final else CLAIM_NOT_FINAL
        params = {"task_id": task_id, "due_before": now - interval_s, "now": now}
        return await self.run(lambda conn: conn.execute(query, params).rowcount == 1, write=True)

    async def delete(self, task_id: str, owner: str) -> list[str] | None:
        """Remove a task; returns the frame hashes no task uses and no scope owns any more
        (None if not found)."""
        self._records.pop(task_id, None)

        def work(conn: Connection) -> list[str] | None:
            if conn.execute(select(tasks_table.c.id).where(_mine(task_id, owner))).first() is None:
                return None
            used = select(task_frames_table.c.sha256).where(task_frames_table.c.task_id == task_id)
            shas = conn.execute(used).scalars().all()
            conn.execute(delete(task_events_table).where(task_events_table.c.task_id == task_id))
            conn.execute(delete(task_frames_table).where(task_frames_table.c.task_id == task_id))
            conn.execute(delete(tasks_table).where(_mine(task_id, owner)))
            return released(conn, shas, owner)

        unused = await self.run(work, write=True)
        # Again: a read that reached the database before this delete may have kept a copy.
        self._records.pop(task_id, None)
        if unused is not None and self._executor is not None:
            await self._on_sqlite_thread(give_space_back)
        return unused

    async def count(self, owner: str) -> tuple[int, int]:
        """The owner's runs, and the history rows they make (a side-by-side group is one)."""
        row = func.coalesce(tasks_table.c.group_id, tasks_table.c.id)
        query = select(func.count(), func.count(func.distinct(row))).where(
            tasks_table.c.owner == owner
        )

        def read(conn: Connection) -> tuple[int, int]:
            runs, rows = conn.execute(query).one()
            return int(runs or 0), int(rows or 0)

        return await self.run(read)
