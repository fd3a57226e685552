"""What an upstream's task answer may change in a record: every field checked, none trusted.

A relay can answer anything: a status that is a list, a progress of NaN, a failure code that is
an object, an output that is `javascript:`. Each field is taken only in the shape the console
stores and shows; anything else is ignored or turned into text, so no answer can make a read
fail (a 500) or leave a task stuck.
"""

import json
import math
import re
import uuid

from app.core.i18n import gettext as _
from app.runway.endpoints import Upstream
from app.runway.outputs import output_refusal

PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
STATUS_PATTERN = re.compile(r"^[A-Z_]{1,32}$")
MAX_FAILURE_CHARS = 2000
MAX_CODE_CHARS = 200
MAX_OUTPUTS = 8


def console_task_id(upstream_id: str, taken: bool) -> str:
    """The console's id for a new task: the upstream's own when it is plain and no other task
    has it, else a fresh one. A relay's id may hold `/`, CR LF or any letter, and two relays
    (or two keys on one relay) may hand out the same id; neither may break or merge tasks."""
    if PLAIN_ID.match(upstream_id) and not taken:
        return upstream_id
    return str(uuid.uuid4())


def as_text(value: object, limit: int) -> str | None:
    """A JSON value as bounded text (None for null or empty)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text[:limit] or None


def read_status(value: object) -> str | None:
    """The status as the console keeps it, or None when the answer's is not one."""
    if not isinstance(value, str):
        return None
    status = value.strip().upper()
    return status if STATUS_PATTERN.match(status) else None


def read_progress(value: object) -> float | None:
    """A fraction 0..1; some relays report percent (0..100); anything else is ignored."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        return None
    return min(1.0, number / 100 if number > 1 else number)


def read_outputs(
    value: object, upstream: Upstream, allow_private: bool
) -> tuple[list[str], str | None]:
    """The output URLs the console may keep, and why any were refused."""
    candidates = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    kept: list[str] = []
    refusal = None
    for url in candidates[:MAX_OUTPUTS]:
        reason = output_refusal(url, upstream, allow_private)
        if reason is None:
            kept.append(url)
        elif refusal is None:
            refusal = _("the upstream's output address was refused: {reason}", reason=reason)
    return kept, refusal
