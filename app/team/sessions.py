"""Login sessions kept in the database: logout ends one everywhere, a new password ends them all.

The cookie holds a random token; the database holds only its SHA-256, so a copy of the database
opens no session. Each row carries a tag of the password it was opened under: a console started
with another password finds no session valid. Every replica reads the same rows, so a logout on
one is a logout on all.
"""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, delete, insert, or_, select

from app.core.secret_compare import same_secret
from app.storage.database import Database
from app.storage.schema import sessions_table

SESSION_SECONDS = 7 * 24 * 3600
INSERT = insert(sessions_table)


def password_tag(secret: bytes, password: str) -> str:
    """Which password a session belongs to. scrypt, salted with the server secret, so the tag
    stored beside the sessions is as slow to guess a password from as a password hash."""
    derived = hashlib.scrypt(password.encode(), salt=secret, n=2**14, r=8, p=1, dklen=16)
    return derived.hex()


def _row_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """Whose a valid session is: a member's (by name), or the admin's (member None)."""

    member: str | None

    @property
    def admin(self) -> bool:
        return self.member is None


class Sessions:
    def __init__(self, storage: Database, tag: str) -> None:
        self._storage = storage
        self._tag = tag

    async def open(self, now: float, member: str | None = None) -> str:
        """A new session's token: the admin's, or `member`'s (ended with their token)."""
        token = secrets.token_urlsafe(32)
        row = {"id": _row_id(token), "password_tag": self._tag, "created_at": now}
        row["member"] = member
        row["expires_at"] = now + SESSION_SECONDS
        await self.prune(now)
        await self._storage.run(lambda conn: conn.execute(INSERT, row), write=True)
        return token

    async def prune(self, now: float) -> None:
        """Sessions past their time, or opened under another password, go for good: run at
        start, a password change ends them even if the old password comes back later."""
        stale = or_(sessions_table.c.expires_at <= now, sessions_table.c.password_tag != self._tag)
        await self._storage.run(
            lambda conn: conn.execute(delete(sessions_table).where(stale)), write=True
        )

    async def valid(self, token: str, now: float) -> bool:
        return await self.who(token, now) is not None

    async def who(self, token: str, now: float) -> Session | None:
        """The session a cookie opens, or None (unknown, expired, another password's)."""
        c = sessions_table.c
        query = select(c.password_tag, c.member).where(
            and_(c.id == _row_id(token), c.expires_at > now)
        )
        row = await self._storage.run(lambda conn: conn.execute(query).first())
        if row is None or not same_secret(row.password_tag, self._tag):
            return None
        return Session(row.member)

    async def close(self, token: str) -> None:
        """End the session (logout); the same cookie opens nothing afterwards, anywhere."""
        statement = delete(sessions_table).where(sessions_table.c.id == _row_id(token))
        await self._storage.run(lambda conn: conn.execute(statement), write=True)
