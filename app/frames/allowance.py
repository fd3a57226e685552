"""How many bytes of new frames one scope may keep per UTC day.

Every frame a key, member, demo session or the operator uploads or sends as data is kept on
disk (or in the bucket) for its history. Without a bound, one caller could fill the disk with
uploads alone. Each new claim of a frame is charged to its scope's day, in one statement that
refuses what would pass the allowance (so concurrent uploads cannot overshoot it), and a
refused create gives its bytes back with its frames (app/frames/owners.py).

A scope is cheap to make (a new demo cookie, a made-up pass-through key), so every claim made
in a request is also charged, in the same transaction, to the client address the request came
from (`CLIENT_SCOPE`, set per request by app/web/middleware/client_scope.py), with its own,
larger allowance.
"""

import time
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import and_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app.core.i18n import gettext as _
from app.core.timestamps import day_number
from app.frames.images import BadImage
from app.frames.refs import StoredFrame
from app.storage.database import Database
from app.storage.schema import frame_bytes_table

MB = 1024 * 1024
# The request's client address as a scope (`address:<HMAC>`), or None outside a request.
CLIENT_SCOPE: ContextVar[str | None] = ContextVar("frame_client_scope", default=None)


class FrameAllowanceSpent(BadImage):
    """A frame that would take its scope past the day's allowance; nothing is kept. A
    BadImage, so every place that shows why an image was not taken shows this too."""


def kept_bytes(frame: StoredFrame) -> int:
    """What a frame takes in the store: the image sent upstream, and the original when the
    console keeps it too."""
    return frame.size_bytes + (frame.original_bytes if frame.full_media_type else 0)


@dataclass(frozen=True)
class Charged:
    """What one claim was charged: its UTC day and the scopes (the owner, its address)."""

    day: int
    scopes: tuple[str, ...] = ()


NOTHING_CHARGED = Charged(0)


class FrameAllowance:
    """The per-scope daily count of kept frame bytes, in the database (all replicas share it)."""

    def __init__(self, storage: Database, daily_bytes: int, address_bytes: int) -> None:
        self._storage = storage
        self.daily_bytes = daily_bytes
        self.address_bytes = address_bytes

    async def charge(self, owner: str, size: int) -> Charged:
        """Count `size` bytes against `owner`'s day and the request's address's (returned,
        for a refund), or raise FrameAllowanceSpent (nothing counted) when that would pass
        either allowance."""
        day = day_number(time.time())
        if size <= 0:
            return Charged(day)
        limits = {owner: self.daily_bytes}
        address = CLIENT_SCOPE.get()
        if address is not None:
            limits[address] = self.address_bytes

        def work(conn: Connection) -> int | None:
            """The limit passed (the transaction then rolls back what was counted), or None."""
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            for scope, limit in limits.items():
                start = {"owner": scope, "day": day, "bytes": 0}
                conn.execute(
                    dialect.insert(frame_bytes_table).values(start).on_conflict_do_nothing()
                )
                t = frame_bytes_table.c
                within = and_(t.owner == scope, t.day == day, t.bytes + size <= limit)
                added = update(frame_bytes_table).where(within).values(bytes=t.bytes + size)
                if conn.execute(added).rowcount != 1:
                    raise _Passed(limit)
            return None

        try:
            await self._storage.run(work, write=True)
        except _Passed as passed:
            raise FrameAllowanceSpent(
                _(
                    "Today's allowance of {mb} MB of stored images is used up; "
                    "try again tomorrow (UTC).",
                    mb=f"{passed.limit / MB:g}",
                )
            ) from None
        return Charged(day, tuple(limits))

    async def refund(self, charged: Charged, size: int) -> None:
        """Give back what a refused create was charged (never below zero)."""
        if size <= 0 or not charged.scopes:
            return
        t = frame_bytes_table.c
        mine = and_(t.owner.in_(charged.scopes), t.day == charged.day, t.bytes >= size)
        query = update(frame_bytes_table).where(mine).values(bytes=t.bytes - size)
        await self._storage.run(lambda conn: conn.execute(query), write=True)


class _Passed(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit
