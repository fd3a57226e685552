"""Submitting: check everything, then create upstream once, however often the request comes.

A double click, a second tab or a retried request carrying the same submit token never starts
(and bills) a second upstream task: the token is claimed in the database (`submit_tokens.py`)
before the create, and a repeat gets the task the first request made.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from app.catalog.credits import answer_credits, as_counted
from app.catalog.endpoints import DEFAULT_ENDPOINT, ENDPOINTS
from app.catalog.validation import FieldError, Invalid, check_body_size
from app.core.keys import Caller, mask_key
from app.frames.allowance import FrameAllowanceSpent
from app.frames.owners import FrameOwners, KeptFrames
from app.frames.refs import (
    FrameStore,
    StoredFrame,
    frame_refs,
    has_local_frames,
    inline_frames,
    stores_frames,
)
from app.frames.uploads import upload_full_frames
from app.logs.task_events import create_refused, created
from app.runway.answers import console_task_id
from app.runway.client import RunwayClient, UpstreamError
from app.runway.endpoints import SIMULATOR_ADDRESS, Upstream
from app.runway.guard import local_hook_allowed
from app.runway.upstreams import UpstreamAccess
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore
from app.tasks.prepared import Prepared, merge_errors, with_hook
from app.tasks.recording import TaskNotRecorded, TaskRecorder
from app.tasks.refresh import Refresher
from app.tasks.submit_tokens import SubmitTokens
from app.team.budgets import NO_BUDGETS, Budgets
from app.team.usage import OverBudget

TOKEN_MAX_CHARS = 100
Run = tuple[dict[str, Any], str | None]  # a create body and the address it goes to
# What refuses one run of a group before or at its create; the group goes on with the others.
RUN_REFUSALS = (UpstreamError, OverBudget, Invalid)


def refusal_words(exc: Exception) -> str:
    """One run's refusal as a line of the group's answer."""
    if isinstance(exc, UpstreamError):
        return exc.message
    if isinstance(exc, Invalid):
        return "; ".join(error.message for error in exc.errors)
    return str(exc)


class Submission:
    """Turns a create body into an upstream task and its record, once per submit token."""

    def __init__(
        self,
        storage: TaskStore,
        frames: FrameStore,
        client: RunwayClient,
        upstreams: UpstreamAccess,
        refresher: Refresher,
        recorder: TaskRecorder,
        validate: Callable[[dict[str, Any]], None] | None = None,
        budgets: Budgets = NO_BUDGETS,
        *,
        owners: FrameOwners,
    ) -> None:
        self._budgets = budgets  # members' daily credits, held before each create
        self._storage = storage
        self._tokens = SubmitTokens(storage)
        self._owners = owners
        self._recorder = recorder
        self._frames = frames
        self._client = client
        self._upstreams = upstreams
        self._refresher = refresher
        self._validate = validate  # None: each endpoint's own checks (catalog/endpoints.py)

    async def prepare(
        self,
        body: dict[str, Any],
        address: str | None,
        errors: list[FieldError] | None = None,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        owner: str,
    ) -> Prepared:
        """Check everything before anything is sent, raising Invalid with every problem at once.

        Each check runs once: the address (with its DNS guard), the frames (stored and inlined
        on a thread, only when the body carries any), then the body as it will be sent. A
        refused body gives back the frames it stored: it leaves nothing behind.
        """
        check_body_size(body)  # before any work: an oversized body is refused as a whole
        found = list(errors or [])
        upstream: Upstream | None = None
        to_send, to_store, kept = body, body, KeptFrames(owner)
        try:
            upstream = await self._upstreams.resolve(address)
            self._budgets.check_upstream(owner, upstream)
        except Invalid as exc:
            merge_errors(found, exc)
        if has_local_frames(body):
            try:
                to_send, to_store, kept = await self._inline(body, owner)
            except Invalid as exc:
                merge_errors(found, exc)
        target = ENDPOINTS[endpoint]
        try:
            (self._validate or target.validate)(to_send)
        except Invalid as exc:
            merge_errors(found, self._local_hook_passes(to_send, exc))
        if found or upstream is None:
            await self._owners.give_back(kept)
            raise Invalid(found)
        return Prepared(upstream, as_counted(to_send), as_counted(to_store), target, kept)

    def _local_hook_passes(self, body: dict[str, Any], exc: Invalid) -> Invalid:
        """The body's errors, less notify_hook's https rule when the SSRF guard lets the hook
        go to a listener on the operator's own network (guard.local_hook_allowed)."""
        hook = body.get("notify_hook")
        if isinstance(hook, str) and local_hook_allowed(hook, self._upstreams.policy):
            return Invalid([error for error in exc.errors if error.field != "notify_hook"])
        return exc

    async def _inline(self, body: dict[str, Any], owner: str) -> tuple[dict, dict, KeptFrames]:
        """Inline the frames `owner` may use; frames it sends as data become its own, charged
        to its daily allowance (app/frames/allowance.py)."""
        owned = await self._owners.owned(frame_refs(body), owner)
        if not stores_frames(body):  # references only: nothing stored, no guard needed
            to_send, to_store = await asyncio.to_thread(inline_frames, self._frames, body, owned)
            return to_send, to_store, KeptFrames(owner)
        stored: list[StoredFrame] = []
        bodies: list[tuple[dict, dict]] = []

        def put() -> None:
            bodies.append(inline_frames(self._frames, body, owned, stored))

        try:
            # Stored and claimed with no removal of those frames between (app/frames/guard.py).
            kept = await self._owners.keep_stored(put, stored, owner)
        except FrameAllowanceSpent as exc:
            raise Invalid([FieldError("promptImage", str(exc))]) from None
        return *bodies[0], kept

    async def submit(
        self,
        body: dict[str, Any],
        address: str | None,
        caller: Caller,
        errors: list[FieldError] | None = None,
        submit_token: str | None = None,
        hook: str | None = None,
        endpoint: str = DEFAULT_ENDPOINT,
    ) -> TaskRecord:
        """Validate and start a task at `endpoint`; with `submit_token`, a repeat returns the
        first task.

        `hook` is this console's own receiver, set as `notify_hook` after the body's checks
        (which ask a person's hook to be public https; ours may be on loopback).
        """
        if not submit_token:
            return await self._create(
                with_hook(
                    await self.prepare(body, address, errors, endpoint, owner=caller.owner), hook
                ),
                caller,
            )
        submit_token = submit_token[:TOKEN_MAX_CHARS]
        earlier = await self._tokens.claim_or_wait(caller.owner, submit_token)
        if earlier is not None:
            return earlier
        try:
            ready = await self.prepare(body, address, errors, endpoint, owner=caller.owner)
            ready = with_hook(ready, hook)
            record = await self._create(ready, caller)
        except TaskNotRecorded as exc:
            # The task exists upstream: the token must not be freed for a second create.
            with contextlib.suppress(Exception):
                await self._tokens.finish(caller.owner, submit_token, exc.record.id)
            raise
        except BaseException:
            await self._tokens.finish(caller.owner, submit_token, None)
            raise
        await self._tokens.finish(caller.owner, submit_token, record.id)
        return record

    async def submit_group(
        self,
        runs: list[Run],
        caller: Caller,
        submit_token: str,
        endpoint: str = DEFAULT_ENDPOINT,
        senders: list[Caller] | None = None,
    ) -> tuple[list[TaskRecord], list[str]]:
        """Side by side: several runs as one group; every run is checked before any is sent.

        Returns the tasks started and why each other run was refused (by the upstream, a
        member's budget or baseUrl rule), its frames given back. The submit token
        covers the whole group: a repeat returns the group the first request made. `senders`
        says who each run is sent as (its key and owner; a second address has its own key),
        `caller` by default; the frames and the token stay the caller's.
        """
        senders = senders or [caller] * len(runs)
        prepared: list[Prepared] = []
        try:
            for body, address in runs:
                prepared.append(
                    await self.prepare(body, address, None, endpoint, owner=caller.owner)
                )
            earlier = await self._tokens.claim_or_wait(caller.owner, submit_token)
        except BaseException:
            await self._give_back(prepared)
            raise
        if earlier is not None:
            await self._give_back(prepared)  # the first request's frames are the ones kept
            return await self._storage.list_group(earlier.group_id or "", caller.owner), []
        group_id = str(uuid.uuid4())
        started: list[TaskRecord] = []
        refusals: list[str] = []
        refused: list[Prepared] = list(prepared)  # each run's frames, until it starts
        try:
            for ready, (_body, address), sender in zip(prepared, runs, senders, strict=True):
                try:
                    started.append(await self._create(ready, sender, group_id, give_back=False))
                    refused = [run for run in refused if run is not ready]
                except RUN_REFUSALS as exc:
                    refusals.append(f"{address or SIMULATOR_ADDRESS}: {refusal_words(exc)}")
                except TaskNotRecorded as exc:  # started upstream: its frames are its own
                    refused = [run for run in refused if run is not ready]
                    refusals.append(f"{address or SIMULATOR_ADDRESS}: {exc}")
        finally:
            # After every run: a frame a refused run shares with a started one is that task's.
            await self._give_back(refused)
            first = started[0].id if started else None
            await self._tokens.finish(caller.owner, submit_token, first)
        return started, refusals

    async def _give_back(self, prepared: list[Prepared]) -> None:
        for ready in prepared:
            if ready.kept is not None:
                await self._owners.give_back(ready.kept)

    async def _create(
        self,
        ready: Prepared,
        caller: Caller,
        group_id: str | None = None,
        give_back: bool = True,
    ) -> TaskRecord:
        """Send the create (never retried) and record the task as the upstream answered; a
        refused one (the budget, the upstream) gives back the frames it stored."""
        key = self._upstreams.key_for(ready.upstream, caller)
        try:
            hold = await self._budgets.hold(
                caller, ready.upstream, ready.to_send, ready.endpoint.path
            )
        except BaseException:
            if give_back:
                await self._give_back([ready])
            raise
        try:
            to_send, uploads = await upload_full_frames(
                self._client,
                self._frames,
                ready.upstream,
                key,
                ready.to_send,
                ready.to_store,
                self._upstreams.policy.allow_private,
            )
            upstream_id, exchange = await self._client.create(
                ready.upstream, key, to_send, ready.endpoint.path
            )
        except BaseException as exc:
            await self._budgets.refused(hold)
            if isinstance(exc, UpstreamError):
                create_refused(caller.owner, ready.endpoint.path, exc)
            if give_back:
                await self._give_back([ready])
            raise
        # Taken or not is the insert's to find (TaskRecorder): asking first cost a database
        # trip on every create for an id two upstreams share almost never.
        task_id = console_task_id(upstream_id, taken=False)
        upstream_estimate = answer_credits(exchange.body, "estimatedCost")
        now = time.time()
        record = TaskRecord(
            id=task_id,
            upstream_id=upstream_id if upstream_id != task_id else None,
            owner=caller.owner,
            base_url=ready.upstream.base_url,
            key_mask=mask_key(key) if caller.key else ("operator" if key else ""),
            model=ready.endpoint.model_of(to_send),
            prompt_text=ready.endpoint.prompt_of(to_send),
            ratio=to_send.get("ratio") or "",  # a model may take no ratio
            duration=ready.endpoint.duration_of(to_send),
            seed=to_send.get("seed"),
            request=ready.to_store,
            status="PENDING",
            exchanges=[
                *(made.as_dict() for made in uploads),
                {**exchange.as_dict(), "body": exchange.body},
            ],
            created_at=now,
            updated_at=now,
            group_id=group_id,
            # The create's answer is a fresh PENDING from upstream: it counts as this poll
            # interval's check, so a read straight after it is served from the store.
            last_checked_at=now,
            endpoint=ready.endpoint.path,
            estimated_credits=upstream_estimate,
        )
        # The hold becomes the task's charge under the id it is recorded with: at once, or when
        # a background retry records it (maybe under a fresh id); a hold until then.
        charge = partial(self._budgets.created, hold, upstream_estimate=upstream_estimate)
        await self._recorder.add(record, frame_refs(ready.to_store), charge)
        self._refresher.remember_claim(record.id, now)
        created(record, exchange)
        return record
