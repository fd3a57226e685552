"""The task table's hot-path statements, built once with named parameters.

A statement built per call with its values inlined (`insert(t).values(**row)`) costs
SQLAlchemy ~0.3 ms to key and bind for the tasks table; these cost ~0.1 ms (bench/README.md,
profiling item 10). `storage/database.py` runs them.
"""

from sqlalchemy import and_, bindparam, insert, or_, select, update

from app.runway.status import FINAL_STATUSES
from app.storage.schema import task_events_table, task_frames_table, tasks_table
from app.storage.task_record import LEASE_COLUMNS

# Written only by the video copy's own statements, never by a whole-record save: a save from a
# refresh on another replica must not undo a copy that finished meanwhile.
VIDEO_COLUMNS = ("video_path", "video_bytes", "video_error", "video_attempts")

INSERT_TASK = insert(tasks_table)
INSERT_EVENT = insert(task_events_table)
INSERT_FRAME = insert(task_frames_table)  # a frame a task uses
NOT_SAVED = ("id", "last_checked_at", *VIDEO_COLUMNS, *LEASE_COLUMNS)
SAVED_COLUMNS = [c.name for c in tasks_table.c if c.name not in NOT_SAVED]
UPDATE_TASK = (
    update(tasks_table)
    .where(tasks_table.c.id == bindparam("task_id"))
    .values({name: bindparam(name) for name in SAVED_COLUMNS})
)
SELECT_MINE = select(tasks_table).where(
    and_(tasks_table.c.id == bindparam("task_id"), tasks_table.c.owner == bindparam("owner"))
)
CLAIM_NOT_FINAL, CLAIM_ANY = (
    update(tasks_table)
    .where(
        and_(
            tasks_table.c.id == bindparam("task_id"),
            tasks_table.c.status.not_in(excluded),
            or_(
                tasks_table.c.last_checked_at.is_(None),
                tasks_table.c.last_checked_at <= bindparam("due_before"),
            ),
        )
    )
    .values(last_checked_at=bindparam("now"))
    for excluded in (FINAL_STATUSES, ())
)
