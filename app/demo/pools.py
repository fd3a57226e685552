"""The demo's daily caps that no cookie resets: one for the whole console, one per address.

A demo session is a cookie, and a new or made-up cookie starts a fresh allowance
(app/demo/sessions.py). So every demo create also counts against two pools kept in the
database, shared by every session and every replica: the client address's (stored as an HMAC,
never the address itself) and the console's. Both are reserved in one transaction of
conditional UPDATEs, so clicks at once on any replica cannot slip past either, and a refused
reservation changes nothing.
"""

from dataclasses import dataclass

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.core.keys import address_scope
from app.core.settings import Settings
from app.core.timestamps import day_of
from app.storage.database import Database
from app.storage.schema import demo_pools_table

CONSOLE_POOL = "console"
CONSOLE_SHARE = 5  # unset, the console's cap is five sessions' allowances


@dataclass(frozen=True)
class PoolCaps:
    """Credits per UTC day for one client address and for the whole console (0: no cap)."""

    address: int
    console: int

    @classmethod
    def of(cls, settings: Settings) -> "PoolCaps":
        session = settings.demo_credits
        address = settings.demo_address_credits
        console = settings.demo_console_credits
        return cls(
            session if address is None else address,
            session * CONSOLE_SHARE if console is None else console,
        )


class PoolsFull(Exception):
    """A shared cap has no room for this video today; nothing was counted."""


class DemoPools:
    def __init__(self, storage: Database, secret: bytes, caps: PoolCaps) -> None:
        self.storage = storage
        self.secret = secret
        self.caps = caps

    def address_pool(self, address: str) -> str:
        return address_scope(self.secret, address, "demo-address")

    def _pools(self, address: str) -> list[tuple[str, int]]:
        pools = [(self.address_pool(address), self.caps.address), (CONSOLE_POOL, self.caps.console)]
        return [(pool, cap) for pool, cap in pools if cap > 0]

    async def reserve(self, address: str, credits: int, now: float) -> None:
        """Count `credits` against the address's and the console's day, or raise PoolsFull
        (then neither counted it)."""
        day = day_of(now)
        pools = self._pools(address)

        def work(conn: Connection) -> None:
            for pool, cap in pools:
                if not _take(conn, pool, credits, cap, day):
                    raise PoolsFull(pool)  # the transaction rolls back what was taken

        try:
            await self.storage.run(work, write=True)
        except IntegrityError:  # another request made a pool's row first: count against it
            await self.storage.run(work, write=True)

    async def full(self, address: str, credits: int, now: float) -> bool:
        """Whether a video of `credits` no longer fits under a shared cap today (the page says
        so before anyone presses Animate)."""
        day = day_of(now)
        caps = dict(self._pools(address))
        table = demo_pools_table
        query = select(table.c.pool, table.c.spent_credits).where(
            table.c.pool.in_(list(caps)), table.c.spend_day == day
        )
        rows = await self.storage.run(lambda conn: conn.execute(query).all())
        spent = {pool: credits_spent for pool, credits_spent in rows}
        return any(spent.get(pool, 0) + credits > cap for pool, cap in caps.items())

    async def refund(self, address: str, credits: int, now: float) -> None:
        """Give back what `reserve` counted (a create refused before it started)."""
        day = day_of(now)
        table = demo_pools_table
        spent = table.c.spent_credits
        names = [pool for pool, _cap in self._pools(address)]
        statement = (
            update(table)
            .where(table.c.pool.in_(names), table.c.spend_day == day)
            .values(spent_credits=case((spent > credits, spent - credits), else_=0))
        )
        await self.storage.run(lambda conn: conn.execute(statement), write=True)


def _take(conn: Connection, pool: str, credits: int, cap: int, day: str) -> bool:
    """One conditional UPDATE (or the day's first row): whether `credits` fit under `cap`."""
    table = demo_pools_table
    spent_today = case((table.c.spend_day == day, table.c.spent_credits), else_=0)
    changed = conn.execute(
        update(table)
        .where(table.c.pool == pool, spent_today + credits <= cap)
        .values(spend_day=day, spent_credits=spent_today + credits)
    ).rowcount
    if changed:
        return True
    if (
        credits > cap
        or conn.execute(table.select().where(table.c.pool == pool)).first() is not None
    ):
        return False
    # A new address today: yesterday's address rows are done with, so they go now.
    conn.execute(delete(table).where(table.c.pool != CONSOLE_POOL, table.c.spend_day < day))
    conn.execute(insert(table).values(pool=pool, spend_day=day, spent_credits=credits))
    return True
