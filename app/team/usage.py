"""Members' credits: what each task counts against its member's day, and the daily budget.

A create is counted before it is sent: the catalog's estimate is held (a `hold:` row) in the
same transaction that checks the budget, so two creates at once cannot both slip under it, and a
refused one never reaches the upstream. The hold becomes the task's charge when the upstream
accepts it, or is released when it refuses. What an upstream reports (read by app/catalog/credits.py
alone) may raise a charge, never lower it below the console's own estimate, except the refund
of a failed or cancelled task (`cost.credits` 0); an upstream that reports nothing leaves the
estimate standing, so the budget errs on the side of the operator's credits.
Days are UTC days: a budget resets at 00:00 UTC.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from app.core.keys import OWNER_PREFIX
from app.core.timestamps import day_of, resets_at
from app.runway.status import FINAL_STATUSES
from app.storage.database import Database
from app.storage.schema import charges_table, members_table
from app.team.members import MemberError
from app.team.running_limit import RETRY_AFTER_S, at_limit

HOLD_PREFIX = "hold:"
REFUNDED_STATUSES = ("FAILED", "CANCELLED")  # Runway gives these tasks' credits back


@dataclass(eq=False)  # not frozen: Python sets an exception's __traceback__ as it goes
class OverBudget(Exception):
    """A create that would take a member past the daily budget; nothing was sent."""

    member: str
    budget: int
    used: int
    needed: int
    resets_at: datetime

    def __str__(self) -> str:
        return (
            f"Daily credit budget exceeded for member {self.member}: budget {self.budget} "
            f"credits, {self.used} used today, this task needs {self.needed}; the budget resets "
            f"at {self.resets_iso}"
        )

    @property
    def retry_after_s(self) -> int:
        return max(1, int(self.resets_at.timestamp() - time.time()))

    @property
    def resets_iso(self) -> str:
        return self.resets_at.isoformat().replace("+00:00", "Z")

    def as_dict(self) -> dict[str, object]:
        """The JSON a refused create answers with (429)."""
        return {
            "error": str(self),
            "budget": self.budget,
            "usedToday": self.used,
            "needed": self.needed,
            "resetsAt": self.resets_iso,
        }


@dataclass(eq=False)
class TooManyRunning(OverBudget):
    """A create past the member's limit of tasks at once; nothing was sent. An OverBudget, so
    it is answered (429) wherever a budget refusal is: `budget` is the limit, `used` the
    tasks running (app/team/running_limit.py)."""

    reason: ClassVar[str] = "running"  # what it is counted as (app/team/refusals.py)

    def __str__(self) -> str:
        return (
            f"Too many tasks at once for member {self.member}: limit {self.budget}, "
            f"{self.used} running; try again when one ends"
        )

    @property
    def retry_after_s(self) -> int:
        return RETRY_AFTER_S

    def as_dict(self) -> dict[str, object]:
        return {"error": str(self), "maxRunning": self.budget, "running": self.used}


def refusal_reason(exc: OverBudget) -> str:
    """What a refusal is counted as (app/team/refusals.py): `budget` or `running`."""
    return getattr(exc, "reason", "budget")


@dataclass(frozen=True)
class DayUsage:
    """One member's day: what the usage page and its CSV show."""

    member: str
    day: str
    credits: int
    tasks: int
    failures: int


def _used(conn: Connection, member: str, day: str) -> int:
    query = select(func.coalesce(func.sum(charges_table.c.credits), 0)).where(
        charges_table.c.member == member, charges_table.c.day == day
    )
    return int(conn.execute(query).scalar() or 0)


def _at_least(credits: int) -> ColumnElement[int]:
    """The charge's credits raised to `credits`, never lowered (both engines' SQL)."""
    column = charges_table.c.credits
    return case((column < credits, credits), else_=column)


class Usage:
    """Holds, charges and settles members' credits, and reads them back per day."""

    def __init__(self, storage: Database) -> None:
        self.storage = storage

    async def hold(self, member: str, credits: int, endpoint: str) -> str:
        """Count `credits` against today before the create is sent; raises OverBudget.

        The member row is updated first: on PostgreSQL that locks it, so concurrent holds of
        one member run one after another (SQLite runs every write on one thread anyway).
        """
        now = time.time()
        day = day_of(now)
        hold_id = f"{HOLD_PREFIX}{uuid.uuid4()}"
        lock = (
            update(members_table)
            .where(members_table.c.name == member, members_table.c.revoked_at.is_(None))
            .values(last_used_at=now)
            .returning(members_table.c.daily_credits, members_table.c.max_running)
        )

        def work(conn: Connection) -> Exception | None:
            found = conn.execute(lock).first()
            if found is None:  # revoked between its request's check and now
                return MemberError(f"member {member} is revoked")
            running = at_limit(conn, member, found.max_running, now)
            if running is not None:
                return TooManyRunning(member, found.max_running, running, 1, resets_at(now))
            budget = found.daily_credits
            used = _used(conn, member, day)
            if budget is not None and used + credits > budget:
                return OverBudget(member, budget, used, credits, resets_at(now))
            row = {
                "task_id": hold_id,
                "member": member,
                "day": day,
                "endpoint": endpoint,
                "estimated": credits,
                "credits": credits,
                "status": "HOLD",
                "created_at": now,
            }
            conn.execute(insert(charges_table).values(**row))
            return None

        refusal = await self.storage.run(work, write=True)
        if refusal is not None:
            raise refusal
        return hold_id

    async def charge(self, hold_id: str, task_id: str, estimate: int | None = None) -> None:
        """The upstream accepted the task: the hold becomes its charge, raised to the upstream's
        own estimate when that is higher (never lowered: the hold is the console's estimate)."""
        values: dict[str, object] = {"task_id": task_id, "status": "PENDING"}
        if estimate is not None:
            values["credits"] = values["estimated"] = _at_least(estimate)
        statement = update(charges_table).where(charges_table.c.task_id == hold_id).values(values)
        await self.storage.run(lambda conn: conn.execute(statement), write=True)

    async def release(self, hold_id: str) -> None:
        """The create was refused or never sent: nothing was spent."""
        statement = delete(charges_table).where(charges_table.c.task_id == hold_id)
        await self.storage.run(lambda conn: conn.execute(statement), write=True)

    async def settle(self, task_id: str, status: str, cost: int | None) -> None:
        """A task ended: its final status, and the upstream's final cost when it reported one.

        A cost never takes the charge below the estimate held, except for a failed or
        cancelled task, which Runway refunds (`cost: {credits: 0}`): then the cost stands.
        """
        if status not in FINAL_STATUSES:
            return
        values: dict[str, object] = {"status": status, "settled_at": time.time()}
        if cost is not None:
            values["credits"] = cost if status in REFUNDED_STATUSES else _at_least(cost)
        statement = (
            update(charges_table)
            .where(charges_table.c.task_id == task_id, charges_table.c.settled_at.is_(None))
            .values(values)
        )
        await self.storage.run(lambda conn: conn.execute(statement), write=True)

    async def credits_of(self, task_id: str) -> tuple[int, bool] | None:
        """(credits, settled) for a member's task, or None when no member started it."""
        query = select(charges_table.c.credits, charges_table.c.settled_at).where(
            charges_table.c.task_id == task_id
        )
        row = await self.storage.run(lambda conn: conn.execute(query).first())
        return (int(row.credits), row.settled_at is not None) if row else None

    async def today(self, member: str) -> int:
        day = day_of(time.time())
        return await self.storage.run(lambda conn: _used(conn, member, day))

    async def days(self, since: str = "") -> list[DayUsage]:
        """Credits, tasks and failures per member per day, newest day first."""
        failed = func.sum(case((charges_table.c.status == "FAILED", 1), else_=0))
        query = (
            select(
                charges_table.c.member,
                charges_table.c.day,
                func.sum(charges_table.c.credits),
                func.count(),
                failed,
            )
            .where(charges_table.c.day >= since)
            .group_by(charges_table.c.member, charges_table.c.day)
            .order_by(charges_table.c.day.desc(), charges_table.c.member)
        )

        def work(conn: Connection) -> list[DayUsage]:
            return [
                DayUsage(member, day, int(credits or 0), int(tasks), int(failures or 0))
                for member, day, credits, tasks, failures in conn.execute(query)
            ]

        return await self.storage.run(work)


def is_member_owner(owner: str) -> bool:
    return owner.startswith(OWNER_PREFIX)
