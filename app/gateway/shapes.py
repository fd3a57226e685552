"""What the gateway answers: Runway's own shapes, built from the console's task records.

An SDK picks a task's variant by its status and cost fields (`estimatedCost` while it runs,
`cost` once it ended), so both are always there: the upstream's own figures when its answers
carried them, else the catalog's estimate. Output URLs are absolute and point at the console,
so an app can fetch them with nothing but the URL.
"""

import re
from typing import Any

from app.catalog.credits import estimate_credits
from app.core.timestamps import iso_time
from app.storage.task_record import TaskRecord


def error_body(message: str, **extra: Any) -> dict[str, Any]:
    """Runway's error shape: `{"error": "<words>"}`, sometimes with more (`issues`)."""
    return {"error": message, **extra}


def issue_path(field: str) -> list[str | int]:
    """A field as Runway's `issues` name it, a JSON path as a list: `promptImage[1].position`
    is `["promptImage", 1, "position"]` (the SDKs' and the simulator's shape)."""
    parts = re.findall(r"[^.\[\]]+", field)
    return [int(part) if part.isdigit() else part for part in parts]


def upstream_credits(record: TaskRecord, field: str) -> int | None:
    """`cost` or `estimatedCost` credits as the upstream last reported them, if it did."""
    return record.cost_credits if field == "cost" else record.estimated_credits


def created_answer(record: TaskRecord) -> dict[str, Any]:
    """`POST /v1/image_to_video`'s answer: the id and what the task may cost."""
    estimate = upstream_credits(record, "estimatedCost")
    if estimate is None:
        estimate = estimate_credits(record.request, record.endpoint)
    return {"id": record.id, "estimatedCost": {"credits": estimate}}


def task_answer(record: TaskRecord, outputs: list[str]) -> dict[str, Any]:
    """`GET /v1/tasks/{id}`'s answer for the task as the console last saw it."""
    body: dict[str, Any] = {
        "id": record.id,
        "status": record.status,
        "createdAt": iso_time(record.created_at).replace("+00:00", "Z"),
    }
    if record.is_final:
        # An upstream that reports no final cost: the estimate stands, as in the member's usage.
        cost = upstream_credits(record, "cost")
        if cost is None:
            cost = created_answer(record)["estimatedCost"]["credits"]
        body["cost"] = {"credits": int(cost)}
    else:
        body["estimatedCost"] = created_answer(record)["estimatedCost"]
    if record.status == "RUNNING":
        body["progress"] = record.progress or 0.0
    elif record.status == "SUCCEEDED":
        body["output"] = outputs
    elif record.status == "FAILED":
        body["failure"] = record.failure or "The task failed."
        body["failureCode"] = record.failure_code
    return body
