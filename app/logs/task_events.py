"""A log line for each event of a task's life, with the fields a log shipper keys on.

With CONSOLE_LOG_FORMAT=json each line is one JSON object (app/log_format.py) whose `task_id`,
`member`, `upstream_status` and `duration_ms` are fields of their own; as text, the message says
what happened. Only ids, names, statuses and timings go in: never a key, a body or a prompt.
"""

import logging
from typing import Any

from app.core.keys import member_name
from app.runway.exchange import Exchange, UpstreamError
from app.storage.task_record import TaskRecord

log = logging.getLogger("app.tasks.service")  # the name docs/deploy.md tells operators to filter on


def _fields(record: TaskRecord, exchange: Exchange | None) -> dict[str, Any]:
    return {
        "task_id": record.id,
        "member": member_name(record.owner),
        "status": record.status,
        "endpoint": record.endpoint,
        "model": record.model,
        "upstream_status": exchange.status if exchange else None,
        "duration_ms": round(exchange.duration_ms, 1) if exchange else None,
    }


def created(record: TaskRecord, exchange: Exchange) -> None:
    """The upstream accepted a create and the task is recorded."""
    fields = _fields(record, exchange)
    log.info("task %s created at %s", record.id, record.endpoint, extra=fields)


def changed(record: TaskRecord, exchange: Exchange | None) -> None:
    """A task's status changed (a read, or the console's cancel)."""
    log.info("task %s is %s", record.id, record.status, extra=_fields(record, exchange))


def read_failed(record: TaskRecord, error: UpstreamError) -> None:
    """A read of a task upstream failed; the task keeps its status and is read again later."""
    fields = _fields(record, error.exchange)
    fields["upstream_status"] = error.status
    log.warning("reading task %s upstream failed: %s", record.id, error.message, extra=fields)


def create_refused(owner: str, endpoint: str, error: UpstreamError) -> None:
    """The upstream refused a create (or never answered it): no task was made."""
    exchange = error.exchange
    fields = {
        "member": member_name(owner),
        "endpoint": endpoint,
        "upstream_status": error.status,
        "duration_ms": round(exchange.duration_ms, 1) if exchange else None,
    }
    log.warning("create at %s failed upstream: %s", endpoint, error.message, extra=fields)


def refused_for_budget(member: str, endpoint: str) -> None:
    """A member's create refused before it was sent (over the daily budget)."""
    fields = {"member": member, "endpoint": endpoint}
    log.info("create at %s refused: member %s is over budget", endpoint, member, extra=fields)
