"""Applying what an upstream read says to a task record, keeping first-seen timings: the
readers of each field are runway/answers.py's, the record is the store's."""

from typing import Any

from app.catalog.credits import read_credits
from app.core.i18n import gettext as _
from app.runway.answers import (
    MAX_CODE_CHARS,
    MAX_FAILURE_CHARS,
    as_text,
    read_outputs,
    read_progress,
    read_status,
)
from app.runway.endpoints import Upstream
from app.storage.task_record import TaskRecord


def apply_upstream_task(
    record: TaskRecord,
    data: dict[str, Any],
    now: float,
    upstream: Upstream,
    allow_private: bool,
) -> None:
    """Copy what an upstream read says into the record, keeping first-seen timings."""
    status = read_status(data.get("status"))
    record.last_error = None
    if status is None:
        if data.get("status") is not None:
            shown = as_text(data.get("status"), 80)
            record.last_error = _("the upstream answered an unknown status: {status}", status=shown)
        status = record.status
    record.status = status
    progress = read_progress(data.get("progress"))
    if progress is not None:
        record.progress = progress
    estimate = read_credits(data.get("estimatedCost"))
    if estimate is not None:
        record.estimated_credits = estimate
    if status == "RUNNING" and record.started_at is None:
        record.started_at = now
    if "output" in data:
        record.output, refusal = read_outputs(data["output"], upstream, allow_private)
        record.last_error = refusal or record.last_error
    if status == "FAILED":
        failure = as_text(data.get("failure"), MAX_FAILURE_CHARS)
        record.failure = failure or _("The task failed.")
        record.failure_code = as_text(data.get("failureCode"), MAX_CODE_CHARS)
    cost = read_credits(data.get("cost")) if record.is_final else None
    if cost is not None:
        record.cost_credits = cost
    if record.is_final and record.finished_at is None:
        record.finished_at = now
        if status == "SUCCEEDED":
            record.progress = 1.0
