"""Submit tokens in the database: a repeated submit finds the task the first one made.

A token is claimed (a row keyed by owner and token) before a create is sent, and finished with
the task it made, or released when the create was refused. The primary key makes the insert
the lock, so the claim holds across processes and replicas too.
"""

import asyncio
import time
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.storage.schema import submissions_table
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore

SUBMIT_WAIT_STEPS = 150  # × 0.1 s: how long a repeat waits for the first request's create


class AlreadySubmitted(Exception):
    """A request with this submit token is still being sent, or failed just now; not resent."""


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"  # this request holds the token: it may create
    IN_FLIGHT = "in-flight"  # an earlier request holds it and is still sending
    MADE = "made"  # an earlier request made `task_id` with it


@dataclass(frozen=True)
class SubmissionClaim:
    """What claiming a submit-once token found."""

    outcome: ClaimOutcome
    task_id: str | None = None


CLAIMED = SubmissionClaim(ClaimOutcome.CLAIMED)
IN_FLIGHT = SubmissionClaim(ClaimOutcome.IN_FLIGHT)


def _claim_found(task_id: str | None) -> SubmissionClaim:
    return SubmissionClaim(ClaimOutcome.MADE, task_id) if task_id else IN_FLIGHT


class SubmitTokens:
    """The submissions table's statements, run through the one TaskStore."""

    def __init__(self, storage: TaskStore) -> None:
        self._storage = storage

    async def claim(self, owner: str, submit_token: str, now: float) -> SubmissionClaim:
        """CLAIMED for the first caller with this submit token; then IN_FLIGHT, or the task made.

        The primary key makes the insert the lock, so it holds across processes too.
        """
        where = and_(submissions_table.c.owner == owner, submissions_table.c.token == submit_token)

        def work(conn: Connection) -> SubmissionClaim:
            existing = conn.execute(select(submissions_table.c.task_id).where(where)).first()
            if existing is not None:
                return _claim_found(existing.task_id)
            row = {"owner": owner, "token": submit_token, "task_id": None, "created_at": now}
            # With SQLite one thread runs every operation: the check above cannot race.
            if self._storage.database.one_writer:
                conn.execute(insert(submissions_table).values(**row))
                return CLAIMED
            try:
                with conn.begin_nested():
                    conn.execute(insert(submissions_table).values(**row))
            except IntegrityError:  # another replica claimed it between the check and now
                task_id = conn.execute(select(submissions_table.c.task_id).where(where)).scalar()
                return _claim_found(task_id)
            return CLAIMED

        return await self._storage.database.run(work, write=True)

    async def finish(self, owner: str, submit_token: str, task_id: str | None) -> None:
        """Record the task a token made, or (None) release the token after a refused create."""
        where = and_(submissions_table.c.owner == owner, submissions_table.c.token == submit_token)

        def work(conn: Connection) -> None:
            if task_id is None:
                conn.execute(delete(submissions_table).where(where))
            else:
                conn.execute(update(submissions_table).where(where).values(task_id=task_id))

        await self._storage.database.run(work, write=True)

    async def claim_or_wait(self, owner: str, submit_token: str) -> TaskRecord | None:
        """None when this request may create; else the task an earlier one with the token made.

        An earlier request still sending is waited for; one that failed let go of the token,
        and then this request claims it and tries for itself.
        """
        for _step in range(SUBMIT_WAIT_STEPS):
            claim = await self.claim(owner, submit_token, time.time())
            if claim.outcome is ClaimOutcome.CLAIMED:
                return None
            if claim.outcome is ClaimOutcome.MADE:
                record = await self._storage.get(claim.task_id or "", owner)
                if record is None:
                    raise AlreadySubmitted()
                return record
            await asyncio.sleep(0.1)
        raise AlreadySubmitted()
