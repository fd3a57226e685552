"""The task store: the statements on tasks, their status events and the frames they use, over
the database (app/storage/database.py). Refresh coalescing is a compare-and-set on
`last_checked_at`, so however many browsers (or processes) watch a task, one of them asks
upstream per interval.
"""

from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.engine import Connection

from app.storage.database import Database
from app.storage.schema import task_events_table, task_frames_table, tasks_table
from app.storage.task_record import TaskRecord
from app.storage.task_statements import (
    CLAIM_ANY,
    CLAIM_NOT_FINAL,
    INSERT_EVENT,
    INSERT_FRAME,
    INSERT_TASK,
    SELECT_MINE,
    UPDATE_TASK,
    VIDEO_COLUMNS,
)

RECORD_CACHE_SIZE = 1_000  # tasks being watched are few; each may carry 40 exchanges
EVENTS_BATCH = 500  # task ids per IN (...) list, well within SQLite's parameter limit


def _status_event(record: TaskRecord, at: float) -> dict[str, Any]:
    """One line of the task's status history (shown in exports and shared runs)."""
    return {"task_id": record.id, "at": at, "status": record.status, "progress": record.progress}


def _log_status(conn: Connection, record: TaskRecord, at: float) -> None:
    conn.execute(INSERT_EVENT, _status_event(record, at))


def _mine(task_id: str, owner: str) -> Any:
    return and_(tasks_table.c.id == task_id, tasks_table.c.owner == owner)


class TaskStore:
    """Reads and writes of task records, with a cache of the records this process wrote or read.

    With SQLite this process is the database's only writer, so the records it has read or
    written, kept here as its own saves and deletes leave them, are exact: a task read is served
    without a trip to the database thread. PostgreSQL may have several replicas writing, so
    nothing is cached there. A domain that writes task rows itself tells the store (`forget`).
    """

    def __init__(self, database: Database) -> None:
        self.database = database  # for the domains that run their own statements on tasks
        self._records: dict[str, TaskRecord] = {}

    async def add(
        self, record: TaskRecord, frame_shas: frozenset[str] | set[str] = frozenset()
    ) -> None:
        """Insert a new task with its first status event and the frames it uses."""

        await self.database.insert(
            [
                (INSERT_TASK, [record.to_row()]),
                (INSERT_EVENT, [_status_event(record, record.created_at)]),
                (INSERT_FRAME, [{"task_id": record.id, "sha256": sha} for sha in frame_shas]),
            ]
        )
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

        if await self.database.run(work, write=True):
            self._remember(record)

    def forget(self, task_id: str) -> None:
        """Drop a kept copy after a write that bypassed `save` (a video copy's outcome)."""
        self._records.pop(task_id, None)

    def forget_all(self) -> None:
        """Drop every kept copy: after a write that changed many records' owner (a rename)."""
        self._records.clear()

    def _remember(self, record: TaskRecord) -> None:
        """Keep a copy of a record as just written or read (SQLite only; see __init__)."""
        if not self.database.one_writer:
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

        record = await self.database.run(work)
        if record is not None:
            self._remember(record)
        return record

    async def get_any(self, task_id: str) -> TaskRecord | None:
        """Regardless of owner: for background work that has no caller (video copies)."""

        def work(conn: Connection) -> TaskRecord | None:
            row = conn.execute(select(tasks_table).where(tasks_table.c.id == task_id)).first()
            return TaskRecord.from_row(row) if row else None

        return await self.database.run(work)

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
        return await self.database.run(
            lambda conn: [TaskRecord.from_row(row) for row in conn.execute(query).all()]
        )

    async def list_group(self, group_id: str, owner: str) -> list[TaskRecord]:
        """The runs of one side-by-side group, in the order they were started."""
        query = (
            select(tasks_table)
            .where(and_(tasks_table.c.group_id == group_id, tasks_table.c.owner == owner))
            .order_by(tasks_table.c.created_at)
        )
        return await self.database.run(
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

        return await self.database.run(work)

    async def claim_refresh(
        self, task_id: str, now: float, interval_s: float, *, include_final: bool = False
    ) -> bool:
        """Compare-and-set: True for exactly one caller per interval for a task not yet final.

        `include_final` lets a finished task be read again, only to get fresh output URLs.
        """
        query = CLAIM_ANY if include_final else CLAIM_NOT_FINAL
        params = {"task_id": task_id, "due_before": now - interval_s, "now": now}

        def claim(conn: Connection) -> bool:
            return conn.execute(query, params).rowcount == 1

        return await self.database.run(claim, write=True)

    async def delete(self, task_id: str, owner: str) -> list[str] | None:
        """Remove a task and its rows; returns the frame hashes it used (None if not found),
        whose claims the frames domain then releases (app/frames/owners.py)."""
        self._records.pop(task_id, None)

        def work(conn: Connection) -> list[str] | None:
            if conn.execute(select(tasks_table.c.id).where(_mine(task_id, owner))).first() is None:
                return None
            used = select(task_frames_table.c.sha256).where(task_frames_table.c.task_id == task_id)
            shas = list(conn.execute(used).scalars().all())
            conn.execute(delete(task_events_table).where(task_events_table.c.task_id == task_id))
            conn.execute(delete(task_frames_table).where(task_frames_table.c.task_id == task_id))
            conn.execute(delete(tasks_table).where(_mine(task_id, owner)))
            return shas

        used = await self.database.run(work, write=True)
        # Again: a read that reached the database before this delete may have kept a copy.
        self._records.pop(task_id, None)
        if used is not None:
            await self.database.reclaim_space()
        return used

    async def count(self, owner: str) -> tuple[int, int]:
        """The owner's runs, and the history rows they make (a side-by-side group is one)."""
        row = func.coalesce(tasks_table.c.group_id, tasks_table.c.id)
        query = select(func.count(), func.count(func.distinct(row))).where(
            tasks_table.c.owner == owner
        )

        def read(conn: Connection) -> tuple[int, int]:
            runs, rows = conn.execute(query).one()
            return int(runs or 0), int(rows or 0)

        return await self.database.run(read)
