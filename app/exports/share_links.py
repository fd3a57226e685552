"""Share links: a result of the demo page that a customer opens without logging in.

A link is `<id>.<signature>`: the id names a row, the signature is an HMAC of it with the server
secret. The database holds only the id, so a copy of the database alone opens nothing, and a
guessed or altered link fails the signature before any row is read. A link lives for
CONSOLE_SHARE_DAYS and can be revoked; either way the shared page then says so and shows nothing.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from app.core.secret_compare import same_secret
from app.storage.database import Database
from app.storage.schema import shares_table


class LinkState(Enum):
    OPEN = "open"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Share:
    id: str
    task_id: str
    owner: str
    created_at: float
    expires_at: float
    revoked_at: float | None

    def state(self, now: float) -> LinkState:
        if self.revoked_at is not None:
            return LinkState.REVOKED
        return LinkState.EXPIRED if now >= self.expires_at else LinkState.OPEN


class ShareLinks:
    """Creates, finds and revokes share links; every time comes from the caller's `now`."""

    def __init__(self, storage: Database, secret: bytes, lifetime_s: float) -> None:
        self.storage = storage
        self.secret = secret + b":share"
        self.lifetime_s = lifetime_s

    def token(self, share: Share) -> str:
        """The link's secret part, the same each time it is shown."""
        signature = hmac.new(self.secret, share.id.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{share.id}.{signature}"

    async def create(self, task_id: str, owner: str, now: float | None = None) -> Share:
        now = time.time() if now is None else now
        share = Share(secrets.token_urlsafe(12), task_id, owner, now, now + self.lifetime_s, None)

        def work(conn: Connection) -> None:
            conn.execute(insert(shares_table).values(**share.__dict__))

        await self.storage.run(work, write=True)
        return share

    async def open_for(self, task_id: str, owner: str, now: float | None = None) -> Share | None:
        """The task's link that still opens, if any (one per task is offered at a time)."""
        now = time.time() if now is None else now
        table = shares_table

        def work(conn: Connection) -> Share | None:
            row = conn.execute(
                select(table)
                .where(
                    and_(
                        table.c.task_id == task_id,
                        table.c.owner == owner,
                        table.c.revoked_at.is_(None),
                        table.c.expires_at > now,
                    )
                )
                .order_by(table.c.created_at.desc())
                .limit(1)
            ).first()
            return Share(**row._mapping) if row else None

        return await self.storage.run(work)

    async def tasks_with_open_links(self, owner: str, now: float | None = None) -> set[str]:
        now = time.time() if now is None else now
        table = shares_table

        def work(conn: Connection) -> set[str]:
            rows = conn.execute(
                select(table.c.task_id).where(
                    and_(
                        table.c.owner == owner,
                        table.c.revoked_at.is_(None),
                        table.c.expires_at > now,
                    )
                )
            )
            return {row.task_id for row in rows}

        return await self.storage.run(work)

    async def resolve(self, token: str) -> Share | None:
        """The share a link names, or None when the link is malformed or its signature wrong."""
        share_id, _, signature = token.partition(".")
        if not share_id or len(token) > 100:
            return None
        expected = hmac.new(self.secret, share_id.encode(), hashlib.sha256).hexdigest()[:32]
        if not same_secret(signature, expected):
            return None

        def work(conn: Connection) -> Share | None:
            row = conn.execute(select(shares_table).where(shares_table.c.id == share_id)).first()
            return Share(**row._mapping) if row else None

        return await self.storage.run(work)

    async def revoke(self, task_id: str, owner: str, now: float | None = None) -> int:
        """Revoke every link to the task; returns how many were still unrevoked."""
        now = time.time() if now is None else now
        table = shares_table

        def work(conn: Connection) -> int:
            result = conn.execute(
                update(table)
                .where(
                    and_(
                        table.c.task_id == task_id,
                        table.c.owner == owner,
                        table.c.revoked_at.is_(None),
                    )
                )
                .values(revoked_at=now)
            )
            return result.rowcount

        return await self.storage.run(work, write=True)
