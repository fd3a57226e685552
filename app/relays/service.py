"""The relay check as a service of its own: probe an address and key, and with the person's
consent run one tiny real task through the task service, with this console's receiver as its
hook when asked.

`create_app` builds it with what it uses; the task service's `submit` comes in as `Start`, so
history keeps the tiny task (a real, paid one) like any other.
"""

import time
from collections.abc import Awaitable
from functools import partial
from typing import Any, Protocol

from app.callbacks.hooks import HookStore, unavailable
from app.core.keys import Caller
from app.core.settings import Settings
from app.relays.callback import RecordedStart, check_callback, refused
from app.relays.check import Report, probe_address, run_tiny_task
from app.relays.probes import probe_headers
from app.runway.client import RunwayClient
from app.runway.endpoints import UpstreamKind
from app.runway.upstreams import UpstreamAccess
from app.storage.task_record import TaskRecord


class Start(Protocol):
    """How a task is started and kept in history (the task service's `submit`)."""

    def __call__(
        self, body: dict[str, Any], address: str | None, caller: Caller, *, notify_here: bool
    ) -> Awaitable[TaskRecord]: ...


class RelayCheck:
    """Reports where an address answers unlike the official API."""

    def __init__(
        self,
        settings: Settings,
        client: RunwayClient,
        upstreams: UpstreamAccess,
        hooks: HookStore,
        start: Start,
    ) -> None:
        self._settings = settings
        self._client = client
        self._upstreams = upstreams
        self._hooks = hooks
        self._start = start

    async def check(
        self, address: str | None, caller: Caller, tiny_task: bool, notify_here: bool = False
    ) -> Report:
        """The free probes; with `tiny_task` a real task too, and with `notify_here` whether
        its callback reached this console."""
        upstream = await self._upstreams.resolve(address)
        key = self._upstreams.key_for(upstream, caller)
        report = await probe_address(self._client, upstream, key)
        await probe_headers(self._client, upstream, key, report)
        if not tiny_task:
            return report
        poll = max(self._settings.poll_interval_s, 0.2)
        if upstream.kind is UpstreamKind.SIMULATOR:
            poll = self._settings.simulator_poll_interval_s or 0.5
        problem = unavailable(self._settings.public_url, address) if notify_here else None
        if problem:
            refused(report, problem)
        hooked = notify_here and not problem
        start = RecordedStart(
            partial(self._start, address=address, caller=caller, notify_here=hooked)
        )
        await run_tiny_task(self._client, upstream, key, report, poll, start=start)
        if hooked and start.record is not None:
            await check_callback(report, self._hooks, start.record.id, time.time())
        return report
