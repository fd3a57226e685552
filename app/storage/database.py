"""The database: SQLite (WAL) by default, or PostgreSQL (asyncpg) shared by several replicas,
through SQLAlchemy 2 Core. It owns the engine, the transactions work runs in, the schema's
migration and SQLite's specifics (its one thread, giving deleted space back); the statements
are each domain's own (tasks in app/storage/task_store.py, members in app/team/, …).
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from app.storage.migrations import migrate
from app.storage.sqlite_inserts import Batches, CompiledInserts
from app.storage.sqlite_pragmas import sqlite_pragmas
from app.storage.sqlite_space import enable_incremental_vacuum, give_space_back

T = TypeVar("T")


class Database:
    """Runs a domain's work, a synchronous function of a SQLAlchemy Core connection, in a
    transaction, so the SQL is written once for both engines.

    With SQLite it runs whole on one dedicated thread (one hop per operation, writes naturally
    one at a time, which SQLite wants); an async driver such as aiosqlite hops threads for
    every cursor call, which profiling showed cost ~2 ms a query. Other databases (PostgreSQL
    through asyncpg) run the same functions through `run_sync`.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._executor: ThreadPoolExecutor | None = None
        self._inserts: CompiledInserts | None = None
        self._async_engine: AsyncEngine | None = None
        if url.startswith("sqlite"):
            sync_url = url.replace("sqlite+aiosqlite", "sqlite", 1)
            self._sync_engine = create_engine(
                sync_url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
            event.listen(self._sync_engine, "connect", sqlite_pragmas)
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite")
            self._inserts = CompiledInserts(self._sync_engine.dialect)
        else:
            self._async_engine = create_async_engine(url)

    @property
    def one_writer(self) -> bool:
        """Whether this process is the database's only writer (SQLite, on one thread)."""
        return self._executor is not None

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

    async def insert(self, inserts: Batches) -> None:
        """Insert every row in one transaction: the statements are each domain's own.

        On SQLite each statement runs compiled once on the driver's cursor
        (storage/sqlite_inserts.py), a fifth of SQLAlchemy's execution cost; errors are
        SQLAlchemy's, as from `run`. A row missing a column the statement would fill by
        default takes `run`, as PostgreSQL always does."""
        batches = [(statement, rows) for statement, rows in inserts if rows]
        plain = self._inserts is not None and all(self._inserts.plain(*b) for b in batches)
        if self._executor is None or not plain:

            def work(conn: Connection) -> None:
                for statement, rows in batches:
                    conn.execute(statement, list(rows))

            return await self.run(work, write=True)

        def call() -> None:
            raw = self._sync_engine.raw_connection()  # the one connection (StaticPool)
            try:
                self._inserts.run(raw, batches)
            finally:
                raw.close()  # back to the pool, still open

        await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def migrate(self) -> None:
        await self.run(migrate, write=True)
        if self._executor is not None:
            await self._on_sqlite_thread(enable_incremental_vacuum)

    async def reclaim_space(self) -> None:
        """After a delete: SQLite gives the freed pages back to the disk (PostgreSQL's own
        vacuum does this there)."""
        if self._executor is not None:
            await self._on_sqlite_thread(give_space_back)

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
