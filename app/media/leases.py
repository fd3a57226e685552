"""Video copies as jobs claimed in the database with a lease, so replicas share them safely.

The copying replica holds `video_holder` and renews `video_lease_until`; the outcome is written
by the holder alone, in columns a whole-record save never touches
(`task_statements.VIDEO_COLUMNS`), so a refresh on another replica cannot undo a copy that
finished meanwhile.
"""

from typing import Any

from sqlalchemy import and_, or_, select, update

from app.storage.schema import tasks_table
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore


class VideoLeases:
    """The statements of the video-copy jobs, run through the one TaskStore."""

    def __init__(self, storage: TaskStore) -> None:
        self.storage = storage

    async def awaiting_video(self, max_attempts: int, now: float) -> list[TaskRecord]:
        """Succeeded tasks whose video copy is not saved and that no replica holds a lease on
        (e.g. after a restart, or a replica killed mid-copy)."""
        query = select(tasks_table).where(
            and_(
                tasks_table.c.status == "SUCCEEDED",
                tasks_table.c.video_path.is_(None),
                tasks_table.c.video_attempts < max_attempts,
                or_(
                    tasks_table.c.video_lease_until.is_(None),
                    tasks_table.c.video_lease_until < now,
                ),
            )
        )
        return await self.storage.database.run(
            lambda conn: [TaskRecord.from_row(row) for row in conn.execute(query).all()]
        )

    async def claim_video(self, task_id: str, holder: str, now: float, lease_s: float) -> bool:
        """Compare-and-set: the copy of this task's video is `holder`'s until now + lease_s,
        unless it is saved already or another holder's lease is still running."""
        query = (
            update(tasks_table)
            .where(
                and_(
                    tasks_table.c.id == task_id,
                    tasks_table.c.video_path.is_(None),
                    or_(
                        tasks_table.c.video_lease_until.is_(None),
                        tasks_table.c.video_lease_until < now,
                        tasks_table.c.video_holder == holder,
                    ),
                )
            )
            .values(video_holder=holder, video_lease_until=now + lease_s)
        )
        return await self.storage.database.run(
            lambda conn: conn.execute(query).rowcount == 1, write=True
        )

    async def renew_video(self, task_id: str, holder: str, now: float, lease_s: float) -> bool:
        """Extend a lease this holder still has; False once another replica took it over."""
        query = (
            update(tasks_table)
            .where(and_(tasks_table.c.id == task_id, tasks_table.c.video_holder == holder))
            .values(video_lease_until=now + lease_s)
        )
        return await self.storage.database.run(
            lambda conn: conn.execute(query).rowcount == 1, write=True
        )

    async def finish_video(
        self,
        task_id: str,
        holder: str,
        *,
        path: str | None = None,
        size: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record the copy's outcome and free its lease (only while `holder` still has it)."""
        values: dict[str, Any] = {"video_holder": None, "video_lease_until": None}
        if path is not None:
            values.update(video_path=path, video_bytes=size, video_error=None)
        elif error is not None:
            values.update(video_error=error, video_attempts=tasks_table.c.video_attempts + 1)
        query = (
            update(tasks_table)
            .where(and_(tasks_table.c.id == task_id, tasks_table.c.video_holder == holder))
            .values(values)
        )
        self.storage.forget(task_id)
        await self.storage.database.run(lambda conn: conn.execute(query), write=True)
        self.storage.forget(task_id)
