"""What a task's delete gives back: the deleter's claims on the task's frames, and the frames
that nobody needs any more.

`FrameOwners.release` runs it once the task store's delete (app/storage/task_store.py) has
removed the task's rows and said which frames it used.
"""

from collections.abc import Iterable

from sqlalchemy import and_, delete, select
from sqlalchemy.engine import Connection

from app.storage.schema import frame_owners_table, task_frames_table


def released(conn: Connection, shas: Iterable[str], owner: str) -> list[str]:
    """In a task's delete, once its rows are gone: `owner` gives up its claim on the task's
    frames, and those no task uses and no scope owns any more are returned, for removal. A
    frame another key, member or demo session uploaded but has not used yet stays theirs."""
    wanted = sorted(set(shas))
    if not wanted:
        return []
    claims = frame_owners_table.c
    mine = and_(claims.owner == owner, claims.sha256.in_(wanted))
    conn.execute(delete(frame_owners_table).where(mine))
    return unneeded(conn, wanted)


def unneeded(conn: Connection, shas: Iterable[str]) -> list[str]:
    """The frames among `shas` that no task uses and no scope owns."""
    wanted = sorted(set(shas))
    if not wanted:
        return []
    claims = frame_owners_table.c
    used = select(task_frames_table.c.sha256).where(task_frames_table.c.sha256.in_(wanted))
    kept = used.union(select(claims.sha256).where(claims.sha256.in_(wanted)))
    return sorted(set(wanted) - set(conn.execute(kept).scalars().all()))
