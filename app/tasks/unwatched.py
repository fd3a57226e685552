"""Tasks nobody watches finish anyway, where the server holds their key.

A task started with the operator's key (RUNWAYML_API_SECRET) can be read without anyone's
browser open, and its output URL expires 24-48 h after it ends: so every replica runs this
loop, which reads such tasks when their poll is due and so hands finished ones to the video
copy. Which replica reads a task is decided by the same compare-and-set on `last_checked_at`
that coalesces watchers, so upstream is still asked at most once per poll interval per task.
Personal keys are never stored, so their tasks advance only while someone watches.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import and_, or_, select

from app.runway.status import FINAL_STATUSES
from app.storage.database import Database
from app.storage.schema import tasks_table
from app.storage.task_record import TaskRecord

log = logging.getLogger(__name__)
OPERATOR_MASK = "operator"  # the key_mask of tasks made with the operator's key
BATCH = 100


class UnwatchedTasks:
    """Drives operator-key tasks to a final status from any replica."""

    def __init__(
        self,
        storage: Database,
        refresh: Callable[[TaskRecord], Awaitable[object]],
        interval_s: float,
    ) -> None:
        self.storage = storage
        self.refresh = refresh
        self.interval_s = max(interval_s, 0.1)
        self._loop: asyncio.Task[None] | None = None

    async def due(self, now: float) -> list[TaskRecord]:
        """Operator-key tasks not final whose poll is due, the longest unread first."""
        checked = tasks_table.c.last_checked_at
        query = (
            select(tasks_table)
            .where(
                and_(
                    tasks_table.c.key_mask == OPERATOR_MASK,
                    tasks_table.c.status.not_in(FINAL_STATUSES),
                    or_(checked.is_(None), checked <= now - self.interval_s),
                )
            )
            .order_by(checked)
            .limit(BATCH)
        )
        return await self.storage.run(
            lambda conn: [TaskRecord.from_row(row) for row in conn.execute(query).all()]
        )

    async def run_once(self) -> int:
        """Read every due task once (each read is claimed first, so replicas never double)."""
        records = await self.due(time.time())
        for record in records:
            await self.refresh(record)
        return len(records)

    def start(self) -> None:
        self._loop = asyncio.create_task(self._forever())

    async def _forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a database or upstream hiccup: the next round tries again
                log.exception("reading unwatched tasks failed")
            await asyncio.sleep(self.interval_s)

    async def close(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
