"""Recording a task the upstream has accepted, so that a failed insert never loses it.

Runway has no idempotency key: once a create was sent, the task exists and is billed, and
sending the create again would start (and bill) a second one. So when the database refuses the
insert (a lost connection, a failover, a lock timeout), the insert is retried, never the
create; if it still fails, the person is told the task's id at once and the insert goes on
being retried in the background until the database takes it.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError

from app.runway.answers import console_task_id
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore

log = logging.getLogger(__name__)
QUICK_RETRIES_S = (0.1, 0.5)  # within the request: a failover or a dropped connection
BACKGROUND_FIRST_S = 1.0
BACKGROUND_MAX_S = 30.0
GIVE_UP_AFTER_S = 48 * 3600.0  # Runway keeps outputs 24-48 h; after that the record is moot
Recorded = Callable[[str], Awaitable[None]]  # told the id a task is recorded under


def _reason(exc: Exception) -> str:
    """Why an insert failed, in one bounded line."""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


async def _told(recorded: Recorded, task_id: str) -> str | None:
    """None once `recorded` has heard of the task's id; else why not."""
    try:
        await recorded(task_id)
    except Exception as exc:
        return _reason(exc)
    return None


class TaskNotRecorded(Exception):
    """The upstream accepted `record`, but the database has not taken it yet."""

    def __init__(self, record: TaskRecord, reason: str) -> None:
        super().__init__(f"task {record.id} was created upstream but not recorded: {reason}")
        self.record = record
        self.reason = reason


class TaskRecorder:
    """Inserts new tasks, retrying the insert (never the create) until the database takes it."""

    def __init__(self, storage: TaskStore) -> None:
        self.storage = storage
        self._pending: dict[str, asyncio.Task[None]] = {}

    async def add(
        self, record: TaskRecord, frame_shas: set[str], recorded: Recorded | None = None
    ) -> None:
        """Record a created task, or raise TaskNotRecorded after starting background retries.

        `recorded` is awaited with the id the task is recorded under: in the request, or once
        a background retry lands, when the id may be a fresh one (another task took the
        upstream's), so what names the task (a member's charge) follows it there."""
        attempt = self._attempt(record, frame_shas)
        for delay in (*QUICK_RETRIES_S, None):
            reason = await attempt()
            if reason is None:
                if recorded is not None:
                    await recorded(record.id)
                return
            if delay is not None:
                await asyncio.sleep(delay)
        task_id = record.id
        log.error("task %s was created upstream but not recorded (%s); retrying", task_id, reason)
        job = asyncio.create_task(self._keep_trying(record, attempt, recorded))
        self._pending[task_id] = job
        job.add_done_callback(lambda _: self._pending.pop(task_id, None))
        raise TaskNotRecorded(record, reason)

    def _attempt(
        self, record: TaskRecord, frame_shas: set[str]
    ) -> Callable[[], Awaitable[str | None]]:
        async def attempt() -> str | None:
            """None once the task is in the database; else why not."""
            try:
                await self.storage.add(record, frame_shas)
            except IntegrityError:
                # An earlier attempt may have committed before its answer was lost; or another
                # task (another key, another relay) took this id first: then it gets its own.
                held = await self.storage.get_any(record.id)
                if held is not None and (held.owner, held.created_at) == (
                    record.owner,
                    record.created_at,
                ):
                    return None
                record.upstream_id = record.upstream_task_id
                record.id = console_task_id(record.upstream_id, taken=True)
                return await again()
            except Exception as exc:  # any failure: the task exists upstream regardless
                return _reason(exc)
            return None

        async def again() -> str | None:
            """Under the new id at once: no wait, since nothing was wrong but the id."""
            try:
                await self.storage.add(record, frame_shas)
            except Exception as exc:
                return _reason(exc)
            return None

        return attempt

    async def _keep_trying(
        self,
        record: TaskRecord,
        attempt: Callable[[], Awaitable[str | None]],
        recorded: Recorded | None,
    ) -> None:
        task_id = record.id  # as the request named it; `attempt` may give the record a new one
        delay, started = BACKGROUND_FIRST_S, time.monotonic()
        while time.monotonic() - started < GIVE_UP_AFTER_S:
            await asyncio.sleep(delay)
            reason = await attempt()
            if reason is None and recorded is not None:
                reason = await _told(recorded, record.id)  # again next time: attempt finds it
            if reason is None:
                log.info("task %s is recorded after all, as %s", task_id, record.id)
                return
            delay = min(delay * 2, BACKGROUND_MAX_S)
        log.error("task %s was never recorded; gave up", task_id)

    @property
    def pending(self) -> list[str]:
        return sorted(self._pending)

    async def close(self) -> None:
        """At shutdown: whatever is still unrecorded is named in the log, so it can be found."""
        for task_id, job in list(self._pending.items()):
            job.cancel()
            log.error("task %s was created upstream and is not recorded", task_id)
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
