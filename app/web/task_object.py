"""The task object the JSON API answers with (and exports carry): the web layer's own shape."""

from typing import Any
from urllib.parse import urlsplit

from app.catalog.credits import estimate_credits
from app.catalog.failures import failure_hint
from app.core.timestamps import iso_time
from app.storage.task_record import TaskRecord
from app.web.public_url import absolute_url


def task_credits(record: TaskRecord) -> dict[str, Any]:
    """What a task may cost and what it was charged, as the card, inspector and API say it.

    The estimate is the upstream's own `estimatedCost` when it sent one, else the catalog's
    (labelled so); the charge is the upstream's final `cost`, or None until (unless) it
    reports one.
    """
    upstream = record.estimated_credits
    return {
        "estimated": upstream
        if upstream is not None
        else estimate_credits(record.request, record.endpoint),
        "estimateFrom": "upstream" if upstream is not None else "catalog",
        "charged": record.cost_credits,
    }


def submit_timings(record: TaskRecord) -> dict[str, Any]:
    """The create's latency, and the ephemeral uploads' (their calls' sum and count) that came
    before it for frames too big for a data URI: the first exchange is not always the create.
    """
    suffix = f"/{record.endpoint}"
    for index, exchange in enumerate(record.exchanges):
        if exchange.get("method") == "POST" and urlsplit(exchange.get("url", "")).path.endswith(
            suffix
        ):
            before = record.exchanges[:index]
            return {
                "create_ms": exchange.get("durationMs"),
                "upload_ms": sum(e.get("durationMs") or 0 for e in before) if before else None,
                "upload_calls": len(before),
            }
    return {"create_ms": None, "upload_ms": None, "upload_calls": 0}


def task_to_api(record: TaskRecord, video_url: str | None, base: str = "") -> dict[str, Any]:
    """A task as `GET /api/tasks/{id}` shows it (docs/architecture.md, "The JSON API").

    With `base` (where the client reached the console), URLs on this console are absolute."""
    if base:
        video_url = absolute_url(base, video_url) if video_url else None
    return {
        "id": record.id,
        "upstreamId": record.upstream_task_id,
        "status": record.status,
        "progress": record.progress,
        "model": record.model,
        "promptText": record.prompt_text,
        "ratio": record.ratio,
        "duration": record.duration,
        "seed": record.seed,
        "createdAt": iso_time(record.created_at),
        "updatedAt": iso_time(record.updated_at),
        "output": [absolute_url(base, url) for url in record.output] if base else record.output,
        "videoUrl": video_url,
        "videoSaved": record.video_saved,
        "failure": record.failure,
        "failureCode": record.failure_code,
        "failureHint": failure_hint(record.failure_code) if record.status == "FAILED" else None,
        "baseUrl": record.base_url,
        "lastError": record.last_error,
        "groupId": record.group_id,
        "estimatedCredits": task_credits(record)["estimated"],
        "chargedCredits": record.cost_credits,
        "endpoint": record.endpoint,
    }
