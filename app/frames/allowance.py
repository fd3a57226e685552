"""How many bytes of new frames one scope may keep per UTC day.

Every frame a key, member, demo session or the operator uploads or sends as data is kept on
disk (or in the bucket) for its history. Without a bound, one caller could fill the disk with
uploads alone. Each new claim of a frame is charged to its scope's day, in one statement that
refuses what would pass the allowance (so concurrent uploads cannot overshoot it), and a
refused create gives its bytes back with its frames (app/frames/owners.py).
"""

import time

from sqlalchemy import and_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app.core.i18n import gettext as _
from app.core.timestamps import day_number
from app.frames.images import BadImage
from app.frames.refs import StoredFrame
from app.storage.database import Storage
from app.storage.schema import frame_bytes_table

MB = 1024 * 1024


class FrameAllowanceSpent(BadImage):
    """A frame that would take its scope past the day's allowance; nothing is kept. A
    BadImage, so every place that shows why an image was not taken shows this too."""


def kept_bytes(frame: StoredFrame) -> int:
    """What a frame takes in the store: the image sent upstream, and the original when the
    console keeps it too."""
    return frame.size_bytes + (frame.original_bytes if frame.full_media_type else 0)


class FrameAllowance:
    """The per-scope daily count of kept frame bytes, in the database (all replicas share it)."""

    def __init__(self, storage: Storage, daily_bytes: int) -> None:
        self._storage = storage
        self.daily_bytes = daily_bytes

    async def charge(self, owner: str, size: int) -> int:
        """Count `size` bytes against `owner`'s day (returned, for a refund), or raise
        FrameAllowanceSpent (nothing counted) when that would pass the allowance."""
        day, limit = day_number(time.time()), self.daily_bytes
        if size <= 0:
            return day

        def work(conn: Connection) -> bool:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            start = {"owner": owner, "day": day, "bytes": 0}
            conn.execute(dialect.insert(frame_bytes_table).values(start).on_conflict_do_nothing())
            t = frame_bytes_table.c
            within = and_(t.owner == owner, t.day == day, t.bytes + size <= limit)
            added = update(frame_bytes_table).where(within).values(bytes=t.bytes + size)
            return conn.execute(added).rowcount == 1

        if not await self._storage.run(work, write=True):
            raise FrameAllowanceSpent(
                _(
                    "Today's allowance of {mb} MB of stored images is used up; "
                    "try again tomorrow (UTC).",
                    mb=f"{limit / MB:g}",
                )
            )
        return day

    async def refund(self, owner: str, size: int, day: int) -> None:
        """Give back what a refused create was charged on `day` (never below zero)."""
        if size <= 0:
            return
        t = frame_bytes_table.c
        mine = and_(t.owner == owner, t.day == day, t.bytes >= size)
        query = update(frame_bytes_table).where(mine).values(bytes=t.bytes - size)
        await self._storage.run(lambda conn: conn.execute(query), write=True)
