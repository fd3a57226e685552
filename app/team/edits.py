"""Steering members after they are made: limits, a new name, a new token, re-activation.

The admin page, its JSON API and `runway-console token` all call these, so a rule (a name's
shape, a limit's range, what a rename carries along) is decided here once. Each edit is one
transaction; the ones that change who a member is (a new token, a rename) end their page
sessions in it, as a revoke does.
"""

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.storage.schema import (
    charges_table,
    frame_owners_table,
    member_refusals_table,
    members_table,
    shares_table,
    submissions_table,
    tasks_table,
)
from app.storage.task_store import TaskStore
from app.team.members import (
    OWNER_PREFIX,
    Member,
    MemberError,
    Members,
    UnknownMember,
    check_limits,
    check_name,
    end_sessions,
    new_token,
    token_hash,
)

# Every table that names a member by their owner id or name: a rename carries them all along,
# so history, today's spend and refusals stay the member's.
OWNER_TABLES = (tasks_table, frame_owners_table, submissions_table, shares_table)
NAME_TABLES = (charges_table, member_refusals_table)


@dataclass(frozen=True)
class Limits:
    """A member's limits as an edit sets them; None in a field: no limit."""

    daily_credits: int | None
    max_running: int | None


class MemberEdits:
    """The admin's edits of existing members."""

    def __init__(self, members: Members, tasks: TaskStore) -> None:
        self.members = members
        self.storage = members.storage
        self._tasks = tasks  # its cached records name owners a rename changes

    async def found(self, name: str) -> Member:
        member = await self.members.get(name)
        if member is None:
            raise UnknownMember(f"no member named {name}")
        return member

    async def _update(self, name: str, **values: object) -> Member:
        statement = update(members_table).where(members_table.c.name == name).values(**values)
        result = await self.storage.run(lambda conn: conn.execute(statement).rowcount, write=True)
        if not result:
            raise UnknownMember(f"no member named {name}")
        return await self.found(name)

    async def set_limits(self, name: str, limits: Limits) -> Member:
        """A new daily budget and limit of tasks at once; they hold from the next create."""
        check_limits(limits.daily_credits, limits.max_running)
        return await self._update(
            name, daily_credits=limits.daily_credits, max_running=limits.max_running
        )

    async def reactivate(self, name: str) -> Member:
        """A revoked member's token works again (a new one is `reissue`)."""
        return await self._update(name, revoked_at=None)

    async def reissue(self, name: str) -> tuple[Member, str]:
        """A new token for the same member: the old one and its sessions stop at once; history,
        spend and budget stay, being the member's, not the token's."""
        await self.found(name)
        token, hint = new_token()
        statement = (
            update(members_table)
            .where(members_table.c.name == name)
            .values(token_hash=token_hash(token), token_hint=hint)
        )

        def work(conn: Connection) -> None:
            conn.execute(statement)
            end_sessions(conn, name)

        await self.storage.run(work, write=True)
        return await self.found(name), token

    async def rename(self, name: str, new_name: str) -> Member:
        """The member and everything that names them move to the new name in one transaction."""
        check_name(new_name)
        await self.found(name)
        if new_name == name:
            return await self.found(name)

        def work(conn: Connection) -> None:
            conn.execute(
                update(members_table).where(members_table.c.name == name).values(name=new_name)
            )
            old, new = f"{OWNER_PREFIX}{name}", f"{OWNER_PREFIX}{new_name}"
            for table in OWNER_TABLES:
                conn.execute(update(table).where(table.c.owner == old).values(owner=new))
            for table in NAME_TABLES:
                conn.execute(update(table).where(table.c.member == name).values(member=new_name))
            end_sessions(conn, name)

        try:
            await self.storage.run(work, write=True)
        except IntegrityError:
            raise MemberError(f"a member named {new_name} already exists") from None
        self._tasks.forget_all()
        return await self.found(new_name)


def parse_limit(text: str | None, field: str) -> int | None:
    """A limit typed in a form or a shell: empty is no limit; anything but a whole number is
    refused with the field's name."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise MemberError(f"{field} must be a whole number, or empty for no limit") from None
