"""What the console does when a relay's callback arrives at `/hooks/<token>`.

The delivery is recorded against the one task its token names, then the task is re-read from
upstream once (the body is never trusted), which settles it at once instead of at the next
poll. Reading needs the key the task was made with; a personal key is never stored, so it is
held in this process's memory from the create until the first valid delivery (bounded). A
delivery that reaches another replica, or one after a restart, is recorded but left to polling.
"""

import time
from dataclasses import dataclass

from app.callbacks.hooks import Delivery, HookStore, claimed_status, mask_headers
from app.core.keys import Caller
from app.runway.redaction import keylike_words, redact_delivery
from app.runway.upstreams import UpstreamAccess
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore
from app.tasks.refresh import Refresher

KEY_MEMORY = 10_000  # tasks whose callers are held for a confirming read


@dataclass(frozen=True)
class Outcome:
    """The answer the relay gets: an HTTP status and a short reason."""

    status: int
    reason: str


class HookReceiver:
    """Records deliveries and confirms a task's end from upstream."""

    def __init__(
        self, storage: TaskStore, hooks: HookStore, refresher: Refresher, upstreams: UpstreamAccess
    ) -> None:
        self._storage = storage
        self._hooks = hooks
        self._refresher = refresher
        self._upstreams = upstreams
        self._callers: dict[str, Caller] = {}

    async def bind(self, token: str, task_id: str, url: str, caller: Caller) -> None:
        """Bind a new task's hook token and hold its caller; a task that has its hook already
        (a repeated submit returning the first task) keeps the one it has."""
        if await self._hooks.hook(task_id) is None:
            await self._hooks.bind(token, task_id, url)
            self.expect(task_id, caller)

    def expect(self, task_id: str, caller: Caller) -> None:
        """Hold the caller until this task's callback comes (memory only, never stored)."""
        if len(self._callers) >= KEY_MEMORY:
            self._callers.clear()
        self._callers[task_id] = caller

    async def receive(self, token: str, headers: list[tuple[str, str]], body: bytes) -> Outcome:
        task_id = await self._hooks.task_for(token)
        record = await self._storage.get_any(task_id) if task_id else None
        if task_id is None or record is None:
            return Outcome(404, "no such hook")
        if await self._hooks.full(task_id):  # before the confirming read it would cost
            return Outcome(429, "too many deliveries for this task")
        at = time.time()
        status = claimed_status(body, task_id)
        caller = self._callers.get(task_id) if status is not None else None
        if caller is not None:
            record = await self._refresher.confirm(record, caller)
            if record.is_final:
                self._callers.pop(task_id, None)
        ended = record.finished_at
        headers, body = self._redacted(record, headers, body)
        delivery = Delivery(
            at=at,
            status=status,
            headers=mask_headers(headers),
            body=body.decode("utf-8", "replace"),
            after_end_s=None if ended is None else max(0.0, at - ended),
        )
        if not await self._hooks.add(task_id, delivery):
            return Outcome(429, "too many deliveries for this task")
        if status is None:
            return Outcome(400, "not this task's JSON object")
        return Outcome(200, "received")

    def _redacted(
        self, record: TaskRecord, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[list[tuple[str, str]], bytes]:
        """The delivery with every key the console knows of masked: the one held for the task,
        the operator's, and any word that is the owner's key (found by its HMAC)."""
        keys = self._upstreams.keys_among(keylike_words(headers, body), record.owner)
        held = self._callers.get(record.id)
        if held is not None and held.key:
            keys.append(held.key)
        return redact_delivery(headers, body, keys)
