"""The task service: submit, refresh and delete tasks.

Routes stay thin and call these plain functions; tests can call them directly. The key passed
in is held for the call alone: only its mask and an HMAC of it are ever stored.
"""

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.failures import http_hint
from app.frames import FrameStore, frame_refs, has_local_frames, inline_frames
from app.i18n import gettext as _
from app.keys import mask_key, media_token, owner_of
from app.media import EXPIRED_NOTE, MediaStore, VideoSaver
from app.media import MAX_ATTEMPTS as MAX_VIDEO_ATTEMPTS
from app.recording import TaskNotRecorded, TaskRecorder
from app.relay_check import Report, probe_address, run_tiny_task
from app.runway.client import RunwayClient, UpstreamError
from app.runway.endpoints import BadAddress, Upstream, UpstreamKind, resolve_upstream
from app.runway.guard import GuardPolicy, UpstreamRefused, address_refusal, resolve_checked
from app.settings import Settings
from app.storage import CLAIMED, IN_FLIGHT, Storage, TaskRecord
from app.validation import FieldError, Invalid, validate_create_body

CLAIM_MEMORY = 10_000  # task ids whose last claim this process remembers
SUBMIT_WAIT_STEPS = 150  # × 0.1 s: how long a repeat waits for the first request's create


class AlreadySubmitted(Exception):
    """A request with this submit token is still being sent, or failed just now; not resent."""


VIDEO_LIMIT_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Caller:
    """Who is asking: the personal key for this request (if any) and the owner it maps to."""

    key: str | None
    owner: str


class TaskService:
    """Everything between a validated request and the upstream, with history kept in storage."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        frames: FrameStore,
        client: RunwayClient,
        secret: bytes,
        media: MediaStore,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.frames = frames
        self.client = client
        self.secret = secret
        self.media = media
        self._claimed_at: dict[str, float] = {}
        self.recorder = TaskRecorder(storage)
        self.saver = VideoSaver(
            storage,
            media,
            client,
            VIDEO_LIMIT_BYTES,
            timeout_s=settings.read_timeout_s * 10,
            lease_s=settings.video_lease_s,
        )
        self.policy = GuardPolicy(
            settings.allow_private_upstreams, tuple(settings.allowed_upstreams)
        )
        self.operator_upstream = (
            resolve_upstream(settings.runwayml_base_url or "https://api.dev.runwayml.com")
            if settings.runwayml_api_secret
            else None
        )

    @property
    def default_address(self) -> str:
        return self.operator_upstream.base_url if self.operator_upstream else "simulator"

    def caller(self, personal_key: str | None) -> Caller:
        key = (personal_key or "").strip() or None
        return Caller(key, owner_of(key, self.secret, operator=bool(self.operator_upstream)))

    def key_for(self, upstream: Upstream, caller: Caller) -> str | None:
        """The personal key, else the operator's, but only for the operator's own upstream."""
        if caller.key:
            return caller.key
        if self.operator_upstream and upstream.base_url == self.operator_upstream.base_url:
            secret = self.settings.runwayml_api_secret
            return secret.get_secret_value() if secret else None
        return None

    async def resolve(self, address: str | None) -> Upstream:
        """The upstream for an address, refused (as a `baseUrl` field error) if off-limits."""
        try:
            upstream = resolve_upstream(address or self.default_address)
        except BadAddress as exc:
            raise Invalid([FieldError("baseUrl", str(exc))]) from None
        if upstream.kind is UpstreamKind.SIMULATOR:
            return upstream
        reason = address_refusal(upstream.base_url, self.policy)
        if reason:
            raise Invalid([FieldError("baseUrl", reason)])
        parts = urlsplit(upstream.base_url)
        try:
            await resolve_checked(parts.hostname or "", parts.port or 443, self.policy)
        except UpstreamRefused as exc:
            raise Invalid([FieldError("baseUrl", str(exc))]) from None
        return upstream

    async def prepare(
        self, body: dict[str, Any], address: str | None, errors: list[FieldError] | None = None
    ) -> tuple[Upstream, dict[str, Any], dict[str, Any]]:
        """Check everything before anything is sent, raising Invalid with every problem at once."""
        found = list(errors or [])
        upstream: Upstream | None = None
        to_send, to_store = body, body
        for step in ("address", "frames", "body"):
            try:
                if step == "address":
                    upstream = await self.resolve(address)
                elif step == "frames" and has_local_frames(body):
                    to_send, to_store = await asyncio.to_thread(inline_frames, self.frames, body)
                else:
                    validate_create_body(to_send)
            except Invalid as exc:
                known = {e.field for e in found}
                found.extend(e for e in exc.errors if e.field not in known)
        if found or upstream is None:
            raise Invalid(found)
        return upstream, to_send, to_store

    async def submit(
        self,
        body: dict[str, Any],
        address: str | None,
        caller: Caller,
        errors: list[FieldError] | None = None,
        once_token: str | None = None,
    ) -> TaskRecord:
        """Validate and start a task; with `once_token`, a repeat returns the first task instead.

        A double click, a second tab or a retried request carrying the same token never starts
        (and bills) a second upstream task.
        """
        if not once_token:
            return await self._submit(body, address, caller, errors)
        token = once_token[:100]
        earlier = await self._claim_or_wait(caller, token)
        if earlier is not None:
            return earlier
        try:
            record = await self._submit(body, address, caller, errors)
        except TaskNotRecorded as exc:
            # The task exists upstream: the token must not be freed for a second create.
            with contextlib.suppress(Exception):
                await self.storage.finish_submission(caller.owner, token, exc.record.id)
            raise
        except BaseException:
            await self.storage.finish_submission(caller.owner, token, None)
            raise
        await self.storage.finish_submission(caller.owner, token, record.id)
        return record

    async def _claim_or_wait(self, caller: Caller, token: str) -> TaskRecord | None:
        """None when this request may create; else the task an earlier one with the token made.

        An earlier request still sending is waited for; one that failed let go of the token,
        and then this request claims it and tries for itself.
        """
        for _step in range(SUBMIT_WAIT_STEPS):
            claim = await self.storage.claim_submission(caller.owner, token, time.time())
            if claim == CLAIMED:
                return None
            if claim != IN_FLIGHT:
                record = await self.storage.get(claim, caller.owner)
                if record is None:
                    raise AlreadySubmitted()
                return record
            await asyncio.sleep(0.1)
        raise AlreadySubmitted()

    async def submit_group(
        self, runs: list[tuple[dict[str, Any], str | None]], caller: Caller, once_token: str
    ) -> tuple[list[TaskRecord], list[str]]:
        """Side by side: several runs as one group; every run is checked before any is sent.

        Returns the tasks started and the upstream's refusals of the others. The form token
        covers the whole group: a repeat returns the group the first request made.
        """
        for body, address in runs:
            await self.prepare(body, address)
        earlier = await self._claim_or_wait(caller, once_token)
        if earlier is not None:
            return await self.storage.list_group(earlier.group_id or "", caller.owner), []
        group_id = str(uuid.uuid4())
        started: list[TaskRecord] = []
        refusals: list[str] = []
        for body, address in runs:
            try:
                started.append(await self._submit(body, address, caller, None, group_id))
            except UpstreamError as exc:
                refusals.append(f"{address or 'simulator'}: {exc.message}")
            except TaskNotRecorded as exc:
                refusals.append(f"{address or 'simulator'}: {exc}")
        first = started[0].id if started else None
        await self.storage.finish_submission(caller.owner, once_token, first)
        return started, refusals

    async def _submit(
        self,
        body: dict[str, Any],
        address: str | None,
        caller: Caller,
        errors: list[FieldError] | None,
        group_id: str | None = None,
    ) -> TaskRecord:
        upstream, to_send, to_store = await self.prepare(body, address, errors)
        key = self.key_for(upstream, caller)
        task_id, exchange = await self.client.create(upstream, key, to_send)
        now = time.time()
        record = TaskRecord(
            id=task_id,
            owner=caller.owner,
            base_url=upstream.base_url,
            key_mask=mask_key(key) if caller.key else ("operator" if key else ""),
            model=to_send["model"],
            prompt_text=to_send.get("promptText") or "",
            ratio=to_send.get("ratio") or "",  # a model may take no ratio
            duration=to_send["duration"],
            seed=to_send.get("seed"),
            request=to_store,
            status="PENDING",
            exchanges=[{**exchange.as_dict(), "body": exchange.body}],
            created_at=now,
            updated_at=now,
            group_id=group_id,
            # The create's answer is a fresh PENDING from upstream: it counts as this poll
            # interval's check, so a read straight after it is served from the store.
            last_checked_at=now,
        )
        self._remember_claim(task_id, now)
        await self.recorder.add(record, frame_refs(to_store))
        return record

    def poll_interval(self, record: TaskRecord) -> float:
        if record.base_url == "simulator":
            return self.settings.simulator_poll_interval_s
        return self.settings.poll_interval_s

    async def refresh(self, record: TaskRecord, caller: Caller) -> TaskRecord:
        """Ask upstream for news, at most once per poll interval however many callers ask."""
        if record.is_final:
            return await self._renew_output(record, caller)
        now = time.time()
        interval = self.poll_interval(record)
        if now - self._claimed_at.get(record.id, 0.0) < interval:
            # This process asked upstream moments ago, so the compare-and-set would fail: not
            # due, no write needed. Exact with other replicas too: their claims only move
            # `last_checked_at` later, so this memory can skip a claim, never grant one.
            return record
        if not await self.storage.claim_refresh(record.id, now, interval):
            return record
        self._remember_claim(record.id, now)
        return await self._read_upstream(record, caller, now)

    def _remember_claim(self, task_id: str, now: float) -> None:
        self._claimed_at[task_id] = now
        if len(self._claimed_at) > CLAIM_MEMORY:
            self._claimed_at.clear()

    async def _renew_output(self, record: TaskRecord, caller: Caller) -> TaskRecord:
        """A finished task is read again only when its video copy needs a fresh output URL."""
        if record.video_error != EXPIRED_NOTE or self.saver.busy(record.id):
            return record
        if record.video_attempts >= MAX_VIDEO_ATTEMPTS:
            return record
        now = time.time()
        interval = self.poll_interval(record)
        if not await self.storage.claim_refresh(record.id, now, interval, include_final=True):
            return record
        return await self._read_upstream(record, caller, now)

    async def _read_upstream(self, record: TaskRecord, caller: Caller, now: float) -> TaskRecord:
        before = record.status
        upstream = resolve_upstream(record.base_url)
        try:
            data, exchange = await self.client.read(
                upstream, self.key_for(upstream, caller), record.id
            )
        except UpstreamError as exc:
            record.last_error = f"{exc.message} — {http_hint(exc.status)}"
            if exc.exchange:
                record.exchanges.append(exc.exchange.as_dict())
        else:
            apply_upstream_task(record, data, now)
            record.exchanges.append(exchange.as_dict())
        record.updated_at = now
        await self.storage.save(record, status_changed=record.status != before)
        self.saver.schedule(record)
        return record

    async def get(self, task_id: str, caller: Caller, *, refresh: bool = True) -> TaskRecord | None:
        record = await self.storage.get(task_id, caller.owner)
        if record is not None and refresh:
            record = await self.refresh(record, caller)
        return record

    async def cancel(self, task_id: str, caller: Caller) -> TaskRecord | None:
        """Cancel a task that is not final; an upstream that no longer knows it counts as done."""
        record = await self.storage.get(task_id, caller.owner)
        if record is None or record.is_final:
            return record
        upstream = resolve_upstream(record.base_url)
        try:
            await self.client.cancel(upstream, self.key_for(upstream, caller), record.id)
        except UpstreamError as exc:
            if exc.status != 404:
                raise
        record.status = "CANCELLED"
        record.finished_at = record.updated_at = time.time()
        await self.storage.save(record, status_changed=True)
        return record

    async def delete(self, task_id: str, caller: Caller) -> bool:
        """Cancel upstream if still running, then forget the task, its video and unused frames."""
        if await self.cancel(task_id, caller) is None:
            return False
        unused = await self.storage.delete(task_id, caller.owner)
        if unused is None:
            return False
        await asyncio.to_thread(self._remove_files, task_id, unused)
        return True

    def _remove_files(self, task_id: str, unused_frames: list[str]) -> None:
        """Blocking: each removal may be an S3 request."""
        self.media.remove(task_id)
        for sha in unused_frames:
            self.frames.remove(sha)

    async def account(self, address: str | None, caller: Caller) -> dict[str, Any]:
        """The organisation's credits and limits, where the upstream offers them."""
        upstream = await self.resolve(address)
        return await self.client.organization(upstream, self.key_for(upstream, caller))

    async def check_relay(self, address: str | None, caller: Caller, tiny_task: bool) -> Report:
        """Probe an address and key, and with the person's consent run one tiny real task."""
        upstream = await self.resolve(address)
        key = self.key_for(upstream, caller)
        report = await probe_address(self.client, upstream, key)
        if tiny_task:
            poll = max(self.settings.poll_interval_s, 0.2)
            if upstream.kind is UpstreamKind.SIMULATOR:
                poll = self.settings.simulator_poll_interval_s or 0.5
            await run_tiny_task(self.client, upstream, key, report, poll)
        return report

    def video_url(self, record: TaskRecord) -> str | None:
        """The console's own copy once saved (with its access token), else the upstream URL."""
        if record.video_saved:
            return f"/media/{record.id}.mp4?t={media_token(self.secret, record.id, record.owner)}"
        return record.output[0] if record.output else None


def apply_upstream_task(record: TaskRecord, data: dict[str, Any], now: float) -> None:
    """Copy what an upstream read says into the record, keeping first-seen timings."""
    status = str(data.get("status") or record.status).upper()
    record.status = status
    record.last_error = None
    progress = data.get("progress")
    if isinstance(progress, int | float) and not isinstance(progress, bool):
        # Some relays report percent (0..100) where Runway reports a fraction (0..1).
        record.progress = min(1.0, float(progress) / 100 if progress > 1 else float(progress))
    if status == "RUNNING" and record.started_at is None:
        record.started_at = now
    output = data.get("output")
    if isinstance(output, list):
        record.output = [str(url) for url in output if isinstance(url, str)]
    elif isinstance(output, str):
        record.output = [output]
    if status == "FAILED":
        record.failure = str(data.get("failure") or _("The task failed."))
        record.failure_code = data.get("failureCode")
    if record.is_final and record.finished_at is None:
        record.finished_at = now
        if status == "SUCCEEDED":
            record.progress = 1.0
