"""notify_hook receivers: a per-task callback address on this console, and what arrived there.

A relay calls `notify_hook` when a task ends; nobody could see whether it fired, when, or what
it sent. With "receive the callback here" the console fills the hook with
`CONSOLE_PUBLIC_URL/hooks/<token>`, a random token bound to the one task, and keeps every
delivery (masked headers, bounded body). The relay cannot log in, so the token is the only
credential: unknown tokens are 404, and a delivery only ever touches the task its token names.
The body is kept to be shown (escaped), never trusted: a delivery makes the console re-read the
task from upstream once (app/tasks/service.py).
"""

import ipaddress
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from app.core.i18n import gettext as _
from app.core.json_values import NotJson, parse_json
from app.core.timestamps import iso_time
from app.runway.endpoints import SIMULATOR_ADDRESS
from app.storage.database import Database
from app.storage.schema import hook_deliveries_table, task_hooks_table
from app.storage.task_record import TaskRecord

HOOK_PATH = "/hooks/"
MAX_BODY_BYTES = 64 * 1024
MAX_DELIVERIES = 20  # per task: a relay retrying forever cannot fill the database
SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie", "x-api-key", "api-key")
MAX_HEADERS = 40


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hook_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{HOOK_PATH}{token}"


def _reach(url: str) -> str:
    """Who can call an address: "loopback" (this machine), "private" (this network) or
    "public" (a name: it cannot be known without a lookup, and a lookup is not done here)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "public"
    if ip.is_loopback:
        return "loopback"
    return "private" if ip.is_private or ip.is_link_local else "public"


def reach_note(public_url: str) -> str | None:
    """What the form says about who can call the receiver: None when it is a public address.

    The built-in simulator calls back through the console itself, so it always can.
    """
    if not public_url:
        return _("Set CONSOLE_PUBLIC_URL so a relay can reach this console.")
    reach = _reach(public_url)
    if reach == "loopback":
        return _(
            "CONSOLE_PUBLIC_URL is a loopback address: only the built-in simulator and relays "
            "on this machine can call it."
        )
    if reach == "private":
        return _(
            "CONSOLE_PUBLIC_URL is a private address: only the built-in simulator and relays "
            "on this network can call it."
        )
    return None


def unavailable(public_url: str, address: str | None) -> str | None:
    """Why the callback cannot come here for a task on `address`, or None when it can.

    The relay calls from its own machine: a loopback public address reaches only a relay (or
    simulator) on this very host, a private one only a relay on this network.
    """
    if not public_url:
        return _("Set CONSOLE_PUBLIC_URL so a relay can reach this console.")
    reach = _reach(public_url)
    if not address or address == SIMULATOR_ADDRESS or reach == "public":
        return None
    relay = _reach(address)
    if relay == "loopback" or (reach == "private" and relay == "private"):
        return None
    if reach == "loopback":
        return _("CONSOLE_PUBLIC_URL is a loopback address, which this relay cannot reach.")
    return _("CONSOLE_PUBLIC_URL is a private address, which this relay cannot reach.")


def mask_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    """The delivery's headers to keep: secrets masked, at most MAX_HEADERS of them."""
    kept: dict[str, str] = {}
    for name, value in headers[:MAX_HEADERS]:
        lower = name.lower()
        kept[lower] = "••••" if lower in SECRET_HEADERS else value[:500]
    return kept


def claimed_status(body: bytes, task_id: str) -> str | None:
    """The status a body claims for this task; None when it is not this task's JSON object."""
    try:
        data = parse_json(body)
    except NotJson:
        return None
    if not isinstance(data, dict) or data.get("id") != task_id:
        return None
    status = data.get("status")
    return str(status)[:40] if isinstance(status, str) else None


@dataclass(frozen=True)
class Delivery:
    at: float
    status: str | None
    headers: dict[str, str]
    body: str
    after_end_s: float | None

    def as_api(self) -> dict[str, Any]:
        return {
            "at": iso_time(self.at),
            "status": self.status,
            "body": self.body,
            "headers": self.headers,
            "afterEndS": None if self.after_end_s is None else round(self.after_end_s, 3),
        }


@dataclass(frozen=True)
class Hook:
    url: str
    deliveries: list[Delivery]

    def as_api(self) -> dict[str, Any]:
        return {"url": self.url, "deliveries": [d.as_api() for d in self.deliveries]}


class HookStore:
    """The hook rows: which token names which task, and the deliveries kept for each task."""

    def __init__(self, storage: Database) -> None:
        self._storage = storage

    async def bind(self, token: str, task_id: str, url: str) -> None:
        row = {"token": token, "task_id": task_id, "url": url}
        await self._storage.run(
            lambda conn: conn.execute(insert(task_hooks_table).values(**row)), write=True
        )

    async def task_for(self, token: str) -> str | None:
        query = select(task_hooks_table.c.task_id).where(task_hooks_table.c.token == token)
        return await self._storage.run(lambda conn: conn.execute(query).scalar())

    async def full(self, task_id: str) -> bool:
        """Whether the task has had its MAX_DELIVERIES (a quick look; `add` decides)."""
        return await self._storage.run(lambda conn: _count(conn, task_id) >= MAX_DELIVERIES)

    async def add(self, task_id: str, delivery: Delivery) -> bool:
        """Keep a delivery unless the task has had its MAX_DELIVERIES; False when refused.

        The count and the insert are one transaction holding the task's hook row: concurrent
        deliveries on PostgreSQL wait on its row lock; SQLite has one writer at a time."""
        row = {
            "task_id": task_id,
            "at": delivery.at,
            "status": delivery.status,
            "headers_json": json.dumps(delivery.headers),
            "body": delivery.body,
            "after_end_s": delivery.after_end_s,
        }

        def work(conn: Connection) -> bool:
            lock = select(task_hooks_table.c.token).where(task_hooks_table.c.task_id == task_id)
            conn.execute(lock.with_for_update()).all()
            if _count(conn, task_id) >= MAX_DELIVERIES:
                return False
            conn.execute(insert(hook_deliveries_table).values(**row))
            return True

        return await self._storage.run(work, write=True)

    async def for_task(self, record: TaskRecord) -> Hook | None:
        """The task's hook, when the console receives its callback. A hook is bound only to a
        task whose stored request names a `notify_hook` (the task service sets the receiver's
        URL there), so any other task's read asks the database nothing."""
        if not record.request.get("notify_hook"):
            return None
        return await self.hook(record.id)

    async def hook(self, task_id: str) -> Hook | None:
        """The task's receiver and its deliveries, oldest first; None when it has none."""

        def work(conn: Connection) -> Hook | None:
            url = conn.execute(
                select(task_hooks_table.c.url).where(task_hooks_table.c.task_id == task_id)
            ).scalar()
            if url is None:
                return None
            t = hook_deliveries_table
            rows = conn.execute(select(t).where(t.c.task_id == task_id).order_by(t.c.id))
            return Hook(url, [_delivery(row) for row in rows])

        return await self._storage.run(work)


def _count(conn: Connection, task_id: str) -> int:
    query = select(func.count()).where(hook_deliveries_table.c.task_id == task_id)
    return int(conn.execute(query).scalar() or 0)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        at=row.at,
        status=row.status,
        headers=json.loads(row.headers_json),
        body=row.body,
        after_end_s=row.after_end_s,
    )
