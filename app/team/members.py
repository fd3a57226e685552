"""Member tokens: a name, a daily credit budget, and a token the console knows only by hash.

A member token lets a person or an app use the operator's upstream through the console (the
page or the Runway-compatible gateway) under their own name and budget, without ever seeing
the operator's key. The token is shown once when made; the database keeps its SHA-256, which is
enough for a 256-bit random secret (nothing to brute-force), and needs no server secret, so the
CLI and every replica agree on it.
"""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.catalog.credits import MAX_CREDITS
from app.core.keys import OWNER_PREFIX
from app.storage.database import Database
from app.storage.schema import members_table, sessions_table

TOKEN_PREFIX = "rc_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,39}$")
MAX_DAILY_CREDITS = MAX_CREDITS  # the members table keeps it in a 32-bit INTEGER
MAX_RUNNING = 10_000
TOUCH_EVERY_S = 60.0  # last-used is a day-level fact: one write a minute per member is plenty


class MemberError(ValueError):
    """A refused token action (bad or taken name, unknown member), said in plain words."""


class UnknownMember(MemberError):
    """No member of that name (a 404 where an answer has a status)."""


@dataclass(frozen=True)
class Member:
    """A member as stored; the token itself is never here."""

    name: str
    token_hint: str
    created_at: float
    last_used_at: float | None
    daily_credits: int | None
    revoked_at: float | None
    max_running: int | None = None  # tasks at once (app/team/running_limit.py); None: no limit

    @property
    def owner(self) -> str:
        """The history owner of this member's tasks (page and gateway alike)."""
        return f"{OWNER_PREFIX}{self.name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def looks_like_token(value: str) -> bool:
    """Whether a key is meant as a member token: such a key is never forwarded upstream."""
    return value.startswith(TOKEN_PREFIX)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _member(row: object) -> Member:
    data = dict(row._mapping)  # type: ignore[attr-defined]
    data.pop("token_hash", None)
    return Member(**data)


class Members:
    """Create, list, find and revoke members; each call is one short transaction."""

    def __init__(self, storage: Database) -> None:
        self.storage = storage
        self._touched: dict[str, float] = {}

    async def create(
        self, name: str, daily_credits: int | None = None, max_running: int | None = None
    ) -> tuple[Member, str]:
        """A new member and its token (returned once, never stored in the clear)."""
        check_name(name)
        check_limits(daily_credits, max_running)
        token, hint = new_token()
        member = Member(name, hint, time.time(), None, daily_credits, None, max_running)
        row = {**member.__dict__, "token_hash": token_hash(token)}

        def work(conn: Connection) -> None:
            conn.execute(insert(members_table).values(**row))

        try:
            await self.storage.run(work, write=True)
        except IntegrityError:  # the primary key on the name, on every database and replica
            raise MemberError(
                f"a member named {name} already exists (revoked ones keep their name)"
            ) from None
        return member, token

    async def list(self) -> list[Member]:
        query = select(members_table).order_by(members_table.c.name)
        return await self.storage.run(lambda conn: [_member(row) for row in conn.execute(query)])

    async def get(self, name: str) -> Member | None:
        query = select(members_table).where(_named(name))
        row = await self.storage.run(lambda conn: conn.execute(query).first())
        return _member(row) if row else None

    async def revoke(self, name: str) -> Member:
        """Revoke at once: the next request with the token is refused, here and on every replica,
        and the member's page sessions end with it."""
        now = time.time()
        statement = (
            update(members_table)
            .where(_named(name), members_table.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

        def work(conn: Connection) -> None:
            conn.execute(statement)
            end_sessions(conn, name)

        await self.storage.run(work, write=True)
        member = await self.get(name)
        if member is None:
            raise UnknownMember(f"no member named {name}")
        return member

    async def find(self, token: str) -> Member | None:
        """The active member a token belongs to, or None (unknown or revoked).

        Not cached: a revoke from the CLI or another replica must take effect on the next
        request, and this is one indexed read.
        """
        query = select(members_table).where(
            members_table.c.token_hash == token_hash(token), members_table.c.revoked_at.is_(None)
        )
        row = await self.storage.run(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        member = _member(row)
        await self._touch(member)
        return member

    async def _touch(self, member: Member) -> None:
        now = time.time()
        if now - self._touched.get(member.name, 0.0) < TOUCH_EVERY_S:
            return
        self._touched[member.name] = now
        statement = update(members_table).where(_named(member.name)).values(last_used_at=now)
        await self.storage.run(lambda conn: conn.execute(statement), write=True)


def _named(name: str) -> object:
    return members_table.c.name == name


def check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise MemberError(
            "a member name is 1-40 letters, digits or . _ @ -, starting with a letter or digit"
        )


def check_limits(daily_credits: int | None, max_running: int | None) -> None:
    """The one rule for a member's limits, wherever they are set (page, CLI, JSON API)."""
    if daily_credits is not None and not 0 <= daily_credits <= MAX_DAILY_CREDITS:
        raise MemberError(
            f"the daily credit budget is 0 to {MAX_DAILY_CREDITS:,} (empty: no limit)"
        )
    if max_running is not None and not 1 <= max_running <= MAX_RUNNING:
        raise MemberError(f"the limit of tasks at once is 1 to {MAX_RUNNING} (empty: no limit)")


def new_token() -> tuple[str, str]:
    """A fresh token and the hint shown for it (its last 4 characters)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, f"{TOKEN_PREFIX}…{token[-4:]}"


def end_sessions(conn: Connection, name: str) -> None:
    """A member's page sessions end (revoke, a new token, a rename): the cookie opens nothing."""
    conn.execute(delete(sessions_table).where(sessions_table.c.member == name))
