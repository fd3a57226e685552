"""A member's limit of tasks at once, checked in the same transaction as the budget's hold.

A task counts as running from its hold until it is settled at a final status. One that was never
settled (nobody read it to its end) stops counting after STALE_AFTER_S, so a forgotten task
cannot lock a member out for good.
"""

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from app.storage.schema import charges_table

STALE_AFTER_S = 6 * 3600
RETRY_AFTER_S = 10


def running(conn: Connection, member: str, now: float) -> int:
    """The member's tasks held or started and not ended (nor stale)."""
    c = charges_table.c
    query = select(func.count()).where(
        c.member == member, c.settled_at.is_(None), c.created_at > now - STALE_AFTER_S
    )
    return int(conn.execute(query).scalar() or 0)


def at_limit(conn: Connection, member: str, limit: int | None, now: float) -> int | None:
    """How many run when `member` is at `limit` already (the create is refused), else None."""
    if limit is None:
        return None
    count = running(conn, member, now)
    return count if count >= limit else None
