"""Demo sessions: who a demo browser is, what it spent today, and when its strip was cleared.

A demo session is a random id in a cookie; its tasks belong to the owner `demo:<HMAC(id)>`, so
they never mix with a tester's history (owned by a key's HMAC or the operator) and one demo
cannot see another's. Spending is kept in the database, not in memory, so a cap holds across
restarts and replicas, and a reservation is one conditional UPDATE, so two clicks at once cannot
both slip under the cap.
"""

import hmac
import re
import secrets
import time

from sqlalchemy import and_, case, insert, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.core.timestamps import day_of
from app.storage.database import Database
from app.storage.schema import demo_sessions_table

COOKIE = "rc_demo"
COOKIE_SECONDS = 30 * 24 * 3600
OWNER_PREFIX = "demo:"
REPEATED = -1  # what `reserve` answers for a form already counted (0 is "no cap")
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{24}")


def new_session_id() -> str:
    return secrets.token_urlsafe(18)


def valid_session_id(value: str | None) -> bool:
    return bool(value and SESSION_ID.fullmatch(value))


def demo_owner(secret: bytes, session_id: str) -> str:
    digest = hmac.digest(secret, f"demo:{session_id}".encode(), "sha256").hex()
    return f"{OWNER_PREFIX}{digest[:32]}"


class DemoSessions:
    def __init__(self, storage: Database) -> None:
        self.storage = storage

    async def reserve(
        self, owner: str, credits: int, cap: int, form: str = "", now: float | None = None
    ) -> int | None:
        """Count `credits` against today's cap before anything is sent: the credits counted,
        or None when over the cap. A cap of 0 means no cap (nothing is counted, 0).

        `form` is the demo form's submit-once token: a repeat of it (a double click) is the same
        video, already counted, so it counts nothing and answers REPEATED (distinct from 0, so
        the shared caps are still reserved where a session has no cap). Credits for a create
        the upstream refused are given back with `refund`.
        """
        if cap <= 0:
            return 0
        day = day_of(time.time() if now is None else now)
        table = demo_sessions_table
        spent_today = case((table.c.spend_day == day, table.c.spent_credits), else_=0)
        new_form = table.c.last_form != form if form else true()

        def work(conn: Connection) -> int | None:
            mine = table.c.owner == owner
            changed = conn.execute(
                update(table)
                .where(and_(mine, spent_today + credits <= cap, new_form))
                .values(spend_day=day, spent_credits=spent_today + credits, last_form=form)
            ).rowcount
            if changed:
                return credits
            row = conn.execute(select(table.c.last_form).where(mine)).first()
            if row is not None:
                return REPEATED if form and row.last_form == form else None
            if credits > cap:
                return None
            values = {"cleared_at": 0.0, "spend_day": day, "spent_credits": credits}
            conn.execute(insert(table).values(owner=owner, last_form=form, **values))
            return credits

        try:
            return await self.storage.run(work, write=True)
        except IntegrityError:  # another request made the row first: count against it
            return await self.storage.run(work, write=True)

    async def refund(self, owner: str, credits: int, now: float | None = None) -> None:
        """Give back what `reserve` counted; the form may then be counted again."""
        if credits <= 0:
            return
        day = day_of(time.time() if now is None else now)
        table = demo_sessions_table

        def work(conn: Connection) -> None:
            conn.execute(
                update(table)
                .where(and_(table.c.owner == owner, table.c.spend_day == day))
                .values(
                    spent_credits=case(
                        (table.c.spent_credits > credits, table.c.spent_credits - credits), else_=0
                    ),
                    last_form="",
                )
            )

        await self.storage.run(work, write=True)

    async def cleared_at(self, owner: str) -> float:
        table = demo_sessions_table

        def work(conn: Connection) -> float:
            row = conn.execute(select(table.c.cleared_at).where(table.c.owner == owner)).first()
            return float(row.cleared_at) if row else 0.0

        return await self.storage.run(work)

    async def clear(self, owner: str, now: float | None = None) -> None:
        """From now on the strip starts empty; what was spent today stays spent."""
        at = time.time() if now is None else now
        table = demo_sessions_table

        def work(conn: Connection) -> None:
            if conn.execute(
                update(table).where(table.c.owner == owner).values(cleared_at=at)
            ).rowcount:
                return
            conn.execute(
                insert(table).values(owner=owner, cleared_at=at, spend_day="", spent_credits=0)
            )

        await self.storage.run(work, write=True)
