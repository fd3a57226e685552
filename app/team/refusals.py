"""Creates refused a member before they were sent, counted per member, UTC day and reason.

Counted in the shared database (not in each process), so the admin page and one scrape of any
replica show the team's refusals, across restarts. One upsert a refusal: a refused create is
already the slow path, and nothing was sent upstream.
"""

import time

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app.core.timestamps import day_of
from app.storage.database import Database
from app.storage.schema import member_refusals_table

REASONS = ("budget", "running")  # over the daily credits; over the tasks at once


def _upsert(conn: Connection, member: str, day: str, reason: str) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    table = member_refusals_table
    statement = dialect.insert(table).values(member=member, day=day, reason=reason, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.member, table.c.day, table.c.reason],
        set_={"count": table.c.count + 1},
    )
    conn.execute(statement)


async def count_refusal(storage: Database, member: str, reason: str) -> None:
    """One more refusal of `member` today for `reason`."""
    day = day_of(time.time())
    await storage.run(lambda conn: _upsert(conn, member, day, reason), write=True)


async def refusals_by_day(storage: Database, since: str = "") -> dict[tuple[str, str], int]:
    """{(member, day): refusals of any reason} from `since` on."""
    table = member_refusals_table
    query = (
        select(table.c.member, table.c.day, func.sum(table.c.count))
        .where(table.c.day >= since)
        .group_by(table.c.member, table.c.day)
    )
    rows = await storage.run(lambda conn: list(conn.execute(query)))
    return {(member, day): int(count or 0) for member, day, count in rows}


def refusal_totals(conn: Connection) -> dict[tuple[str, str], int]:
    """{(member, reason): refusals ever}: the metrics' counter (app/metrics/shared.py)."""
    table = member_refusals_table
    query = (
        select(table.c.member, table.c.reason, func.sum(table.c.count))
        .group_by(table.c.member, table.c.reason)
        .order_by(table.c.member, table.c.reason)
    )
    return {(member, reason): int(count or 0) for member, reason, count in conn.execute(query)}
