"""Refreshing a task from upstream: at most once per poll interval, however many ask.

Two layers keep the upstream calm. This process remembers the tasks it claimed moments ago and
answers those from the store at once; otherwise a compare-and-set on the task's
`last_checked_at` row (`TaskStore.claim_refresh`) lets exactly one caller per interval through,
across processes too. A task in a final state is never read again, except to get a fresh output
URL when its video copy found the old one expired.

An upstream that does not answer must not hold the person's read: the console tries a read
three times, each up to its read timeout, which a browser's poll would wait out. So a read
waits a few seconds for the upstream and then answers from the store, while the upstream read
goes on in the background (one per task) and keeps its answer when it comes.
"""

import asyncio
import logging
import time
from collections.abc import Coroutine
from functools import partial
from typing import Any

from app.catalog.credits import answer_credits, read_credits
from app.catalog.failures import http_hint
from app.core.keys import Caller
from app.core.settings import Settings
from app.logs.task_events import changed, read_failed
from app.media.copies import EXPIRED_NOTE, VideoSaver
from app.media.copies import MAX_ATTEMPTS as MAX_VIDEO_ATTEMPTS
from app.runway.client import RunwayClient, UpstreamError
from app.runway.endpoints import SIMULATOR_ADDRESS, resolve_upstream
from app.runway.exchange import Exchange
from app.runway.status import FINAL_STATUSES
from app.runway.upstreams import UpstreamAccess
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore
from app.tasks.upstream_read import apply_upstream_task
from app.team.budgets import NO_BUDGETS, Budgets

log = logging.getLogger(__name__)
CLAIM_MEMORY = 10_000  # task ids whose last claim this process remembers
READ_WAIT_S = 3.0  # how long a person's read waits for the upstream before the stored answer


class Refresher:
    """Reads a task's news from upstream into its record, and hands finished ones to the saver."""

    def __init__(
        self,
        settings: Settings,
        storage: TaskStore,
        client: RunwayClient,
        upstreams: UpstreamAccess,
        saver: VideoSaver,
        budgets: Budgets = NO_BUDGETS,
    ) -> None:
        self._budgets = budgets  # settles a member's task at the upstream's final cost
        self._settings = settings
        self._storage = storage
        self._client = client
        self._upstreams = upstreams
        self._saver = saver
        self._claimed_at: dict[str, float] = {}
        self._reads: dict[str, asyncio.Future[TaskRecord]] = {}

    def poll_interval(self, record: TaskRecord) -> float:
        if record.base_url == SIMULATOR_ADDRESS:
            return self._settings.simulator_poll_interval_s
        return self._settings.poll_interval_s

    def remember_claim(self, task_id: str, now: float) -> None:
        """Note that this process has the task's news as of `now` (a read, or its create)."""
        self._claimed_at[task_id] = now
        if len(self._claimed_at) > CLAIM_MEMORY:
            self._claimed_at.clear()

    async def refresh(self, record: TaskRecord, caller: Caller) -> TaskRecord:
        """Ask upstream for news, at most once per poll interval however many callers ask."""
        if record.is_final:
            return await self._renew_output(record, caller)
        now = time.time()
        interval = self.poll_interval(record)
        if record.id in self._reads:  # still asking: wait a little for it, never start another
            return await self._answer_soon(self._reads[record.id], record)
        if now - self._claimed_at.get(record.id, 0.0) < interval:
            return record  # this process asked upstream moments ago: not due, no write needed
        if not await self._storage.claim_refresh(record.id, now, interval):
            return record
        self.remember_claim(record.id, now)
        return await self._read_soon(record, self._read_upstream(record, caller, now))

    async def confirm(self, record: TaskRecord, caller: Caller) -> TaskRecord:
        """Read a running task now, whatever the poll interval: its callback said it ended.

        The compare-and-set still runs (with no interval), so replicas do not read it twice at
        the same instant.
        """
        if record.is_final:
            return record
        now = time.time()
        if not await self._storage.claim_refresh(record.id, now, 0.0):
            return record
        self.remember_claim(record.id, now)
        return await self._read_upstream(record, caller, now)

    async def cancelled(
        self, record: TaskRecord, caller: Caller, cancel: Exchange | None
    ) -> TaskRecord:
        """Mark a task the console cancelled, with what the upstream charged for it.

        Runway answers a DELETE with 204 and refunds the task (`cost: {credits: 0}`), so the
        charge is read once more afterwards, unless the cancel's own answer carried a cost (some
        relays answer with the task). Without this the card kept only the estimate, as if
        charged. `cancel` is None when the upstream no longer knew the task: nothing to read.
        """
        before = record.status
        record.status = "CANCELLED"
        record.finished_at = record.updated_at = time.time()
        cost = None
        if cancel is not None:
            record.exchanges.append(cancel.as_dict())
            cost = answer_credits(cancel.body, "cost")
            if cost is None:
                cost = await self._read_cost(record, caller)
        record.cost_credits = cost if cost is not None else record.cost_credits
        await self._storage.save(record, status_changed=record.status != before)
        changed(record, cancel)
        await self._budgets.ended(record)
        return record

    async def _read_cost(self, record: TaskRecord, caller: Caller) -> int | None:
        """The final `cost` of one read after a cancel (None when it has none or fails)."""
        upstream = resolve_upstream(record.base_url)
        try:
            data, exchange = await self._client.read(
                upstream, self._upstreams.key_for(upstream, caller), record.upstream_task_id
            )
        except UpstreamError as exc:
            if exc.exchange:
                record.exchanges.append(exc.exchange.as_dict())
            return None
        record.exchanges.append(exchange.as_dict())
        return read_credits(data.get("cost"))

    async def _renew_output(self, record: TaskRecord, caller: Caller) -> TaskRecord:
        """A finished task is read again only when its video copy needs a fresh output URL."""
        if record.video_error != EXPIRED_NOTE or self._saver.busy(record.id):
            return record
        if record.video_attempts >= MAX_VIDEO_ATTEMPTS:
            return record
        now = time.time()
        interval = self.poll_interval(record)
        if not await self._storage.claim_refresh(record.id, now, interval, include_final=True):
            return record
        return await self._read_soon(record, self._read_upstream(record, caller, now))

    async def _read_soon(
        self, record: TaskRecord, read: Coroutine[Any, Any, TaskRecord]
    ) -> TaskRecord:
        """Start the upstream read as this task's one background read, and wait a little."""
        job = asyncio.ensure_future(read)
        self._reads[record.id] = job
        job.add_done_callback(partial(self._read_ended, record.id))
        return await self._answer_soon(job, record)

    @staticmethod
    async def _answer_soon(job: "asyncio.Future[TaskRecord]", stored: TaskRecord) -> TaskRecord:
        """The read's result if it comes within READ_WAIT_S, else the task as stored."""
        done, _pending = await asyncio.wait({job}, timeout=READ_WAIT_S)
        return job.result() if done else stored

    def _read_ended(self, task_id: str, job: "asyncio.Future[TaskRecord]") -> None:
        if self._reads.get(task_id) is job:
            del self._reads[task_id]
        if not job.cancelled() and job.exception() is not None:
            log.error("reading task %s upstream failed: %r", task_id, job.exception())

    async def close(self) -> None:
        """At shutdown: reads still waiting for an upstream are given up."""
        for job in list(self._reads.values()):
            job.cancel()
        await asyncio.gather(*self._reads.values(), return_exceptions=True)

    async def _read_upstream(self, record: TaskRecord, caller: Caller, now: float) -> TaskRecord:
        before = record.status
        upstream = resolve_upstream(record.base_url)
        data: dict[str, Any] = {}
        exchange: Exchange | None = None
        try:
            data, exchange = await self._client.read(
                upstream, self._upstreams.key_for(upstream, caller), record.upstream_task_id
            )
        except UpstreamError as exc:
            record.last_error = f"{exc.message} — {http_hint(exc.status)}"
            if exc.exchange:
                record.exchanges.append(exc.exchange.as_dict())
            read_failed(record, exc)
        else:
            allow_private = self._upstreams.policy.allow_private
            apply_upstream_task(record, data, now, upstream, allow_private)
            record.exchanges.append(exchange.as_dict())
        record.updated_at = now
        await self._storage.save(record, status_changed=record.status != before)
        if record.status != before:
            changed(record, exchange)
        if record.is_final and before not in FINAL_STATUSES:
            await self._budgets.ended(record)
        self._saver.schedule(record)
        return record
