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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# pg_advisory_lock's two-int key: the console's namespace ("RC") and this guard's number.
ADVISORY_KEY = {"space": 0x5243, "lock": 1}


class SharedOrAlone:
    """A readers-writer lock in one process: many shared holders, or one alone."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self._shared = 0
        self._alone = False

    @asynccontextmanager
    async def hold(self, alone: bool) -> AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: not self._alone and not (alone and self._shared))
            if alone:
                self._alone = True
            else:
                self._shared += 1
        try:
            yield
        finally:
            async with self._changed:
                if alone:
                    self._alone = False
                else:
                    self._shared -= 1
                self._changed.notify_all()


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
