"""The relay check's callback item: did the relay call `notify_hook`, how late, with what.

Relays document `notify_hook` and call it when a task ends; whether one really does is what a
tester cannot see from the reads. With the person's consent (the tiny task costs) and a
receiver this console can offer, the tiny task is started through the task service with
`notifyHere`, so it is a task in history whose hook is this console's receiver, and every
delivery is recorded there by the receiver whichever replica it reaches. The check then waits a
while after its own reads saw the end, and reports what arrived.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from app.callbacks.hooks import Delivery, HookStore
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.relays.check import Report
from app.runway.exchange import Exchange
from app.storage.task_record import TaskRecord

WAIT_S = 20.0  # after the check saw the end: a relay may queue its callbacks or retry them
LOOK_EVERY_S = 0.25
SHOWN_CHARS = 160  # of the body, in the report; the inspector shows it whole
NAME = N_("The callback arrives")
EXPECTED = "POST {id, status, …} to notify_hook"

Start = Callable[[dict[str, Any]], Awaitable[tuple[str, Exchange]]]


class RecordedStart:
    """Starts the tiny task through the task service (so history keeps it, and with the hook
    when asked); remembers its record."""

    def __init__(self, submit: Callable[[dict[str, Any]], Awaitable[TaskRecord]]) -> None:
        self._submit = submit
        self.record: TaskRecord | None = None

    async def __call__(self, body: dict[str, Any]) -> tuple[str, Exchange]:
        """The upstream's task id (the checks read it) and the create as the inspector has it."""
        self.record = record = await self._submit(body)
        sent = record.exchanges[0]
        exchange = Exchange(
            method=sent["method"],
            url=sent["url"],
            status=sent["status"],
            duration_ms=sent["durationMs"],
            body=sent["body"],
            at=sent["at"],
        )
        return record.upstream_id or record.id, exchange


def refused(report: Report, reason: str) -> None:
    """The receiver cannot be offered for this address: said, and the task runs without it."""
    report.add(NAME, False, EXPECTED, reason, failed=True)


async def check_callback(
    report: Report, hooks: HookStore, task_id: str, seen_end: float, wait_s: float = WAIT_S
) -> None:
    """Wait up to `wait_s` past the end the check saw for a delivery, and report it."""
    deadline = seen_end + wait_s
    while True:
        hook = await hooks.hook(task_id)
        if (hook is not None and hook.deliveries) or time.time() > deadline:
            break
        await asyncio.sleep(LOOK_EVERY_S)
    deliveries = hook.deliveries if hook is not None else []
    if not deliveries:
        got = _("nothing within {s} s of the end", s=f"{wait_s:g}")
        report.add(NAME, False, EXPECTED, got, failed=True)
        return
    first = deliveries[0]
    ok = first.status is not None
    detail = "" if ok else N_("the body was not this task's JSON object; it settled nothing")
    report.add(NAME, ok, EXPECTED, describe(first, len(deliveries), seen_end), detail)


def describe(first: Delivery, count: int, seen_end: float) -> str:
    """How late the first delivery came, how many came, and what the first carried."""
    late = first.at - seen_end
    when = (
        _("before the check's reads saw the end")
        if late < 0
        else _("{s} s after the check's reads saw the end", s=f"{late:.1f}")
    )
    body = first.body if len(first.body) <= SHOWN_CHARS else first.body[:SHOWN_CHARS] + "…"
    times = _("{n} deliveries", n=count) if count > 1 else _("1 delivery")
    return f"{times}, {when}: {first.status or '—'} · {body}"
