"""Removing a frame never falls between another scope's storing of it and its claim on it.

Frames are stored once by content hash, so two scopes that add the same picture (a sample, the
same product shot) share its files. A delete that finds a frame nobody claims and no task uses
removes its files. Another scope's upload of that picture at that moment finds the files there,
skips writing them and then claims the frame: had the files gone between the two, it would own
a frame with no files ("no longer stored" at Generate, a broken thumbnail). So storing and
claiming hold this guard shared (any number at once), and a removal holds it alone while it
checks again that nobody needs the frame and removes it.

Across replicas it is a PostgreSQL advisory lock; with SQLite, where one process is the
database's only writer, a lock in this process.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.storage.database import Database

# pg_advisory_lock's two-int key: the console's namespace ("RC") and this guard's number.
ADVISORY_KEY = {"space": 0x5243, "lock": 1}


class SharedOrAlone:
    """A readers-writer lock in one process: many shared holders, or one alone. A waiting
    removal goes before new shared holders, so a stream of uploads cannot starve it (as
    PostgreSQL queues its advisory locks). State changes are synchronous, so a holder
    cancelled at any await leaves none behind."""

    def __init__(self) -> None:
        self._shared = 0
        self._alone = False
        self._waiting_alone = 0
        self._changed = asyncio.Event()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _until(self, ready: Callable[[], bool]) -> None:
        while not ready():
            await self._changed.wait()

    @asynccontextmanager
    async def hold(self, alone: bool) -> AsyncIterator[None]:
        if alone:
            self._waiting_alone += 1
            try:
                await self._until(lambda: not self._alone and not self._shared)
            finally:
                self._waiting_alone -= 1
                self._wake()  # shared waiters held back by this one look again
            self._alone = True
        else:
            await self._until(lambda: not self._alone and not self._waiting_alone)
            self._shared += 1
        try:
            yield
        finally:
            if alone:
                self._alone = False
            else:
                self._shared -= 1
            self._wake()


@asynccontextmanager
async def advisory(engine: AsyncEngine, alone: bool) -> AsyncIterator[None]:
    """The guard across replicas: a transaction-level advisory lock, on a connection of an
    `engine` that the guarded work does not use (so it never waits for a connection its own
    lock holds), held while that work runs and dropped when the transaction ends, whatever
    happens: a pooled connection cannot keep it."""
    kind = "" if alone else "_shared"
    async with engine.connect() as conn, conn.begin():
        await conn.execute(text(f"SELECT pg_advisory_xact_lock{kind}(:space, :lock)"), ADVISORY_KEY)
        yield


class FrameGuard:
    """The guard for one database: a lock in this process when it is the only writer, else
    PostgreSQL's advisory lock on an engine of its own (two connections, more when busy)."""

    def __init__(self, database: Database) -> None:
        self._here = SharedOrAlone()
        self._locks: AsyncEngine | None = None
        if not database.one_writer:
            self._locks = create_async_engine(database.url, pool_size=2, max_overflow=10)

    def hold(self, alone: bool = False) -> AbstractAsyncContextManager[None]:
        """Shared while a frame is stored and claimed, alone while one is removed."""
        if self._locks is not None:
            return advisory(self._locks, alone)
        return self._here.hold(alone)

    async def close(self) -> None:
        if self._locks is not None:
            await self._locks.dispose()
