"""A task as the console keeps it, and how it maps to its row in the tasks table."""

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any

from app.runway.status import FINAL_STATUSES

MAX_EXCHANGES = 40
OPENING_EXCHANGES = 8  # at most this many of the first: the uploads and the create itself
JSON_FIELDS = {"request": "request_json", "output": "output_json", "exchanges": "exchanges_json"}
LEASE_COLUMNS = ("video_holder", "video_lease_until")  # the video copy's job (media/leases.py)


@dataclass
class TaskRecord:
    """A task as the console keeps it; `request` has frames as references (app/frames/refs.py)."""

    id: str
    owner: str
    base_url: str
    key_mask: str
    model: str
    prompt_text: str
    ratio: str
    duration: int
    seed: int | None
    request: dict[str, Any]
    status: str
    progress: float | None = None
    output: list[str] = field(default_factory=list)
    failure: str | None = None
    failure_code: str | None = None
    last_error: str | None = None
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    last_checked_at: float | None = None
    video_path: str | None = None
    video_bytes: int | None = None
    video_error: str | None = None
    video_attempts: int = 0
    group_id: str | None = None
    upstream_id: str | None = None  # the upstream's own id, when it is not the console's
    endpoint: str = "image_to_video"  # the create endpoint (app/catalog/endpoints.py)
    estimated_credits: int | None = None  # the upstream's `estimatedCost.credits`
    cost_credits: int | None = None  # the upstream's final `cost.credits`: what it charged

    @property
    def upstream_task_id(self) -> str:
        """The id to name this task by upstream (older rows: the console's id is it)."""
        return self.upstream_id or self.id

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def video_saved(self) -> bool:
        return self.video_path is not None

    def copy(self) -> "TaskRecord":
        """A copy whose lists can be appended to (a refresh adds exchanges) without changing
        this one; the request is never changed in place, so it is shared."""
        return replace(self, output=list(self.output), exchanges=list(self.exchanges))

    def to_row(self) -> dict[str, Any]:
        row = {k: v for k, v in self.__dict__.items() if k not in JSON_FIELDS}
        row["request_json"] = json.dumps(self.request)
        row["output_json"] = json.dumps(self.output)
        row["exchanges_json"] = json.dumps(kept_exchanges(self.exchanges))
        return row

    @classmethod
    def from_row(cls, row: Any) -> "TaskRecord":
        data = dict(row._mapping)
        for column in LEASE_COLUMNS:
            data.pop(column, None)
        for name, column in JSON_FIELDS.items():
            data[name] = json.loads(data.pop(column))
        return cls(**data)


def kept_exchanges(exchanges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The exchanges a row stores: at most MAX_EXCHANGES, the opening ones first (the uploads
    and the create: up to the last non-GET among the first few), then the latest, so a task
    polled many times still shows the request that started it."""
    if len(exchanges) <= MAX_EXCHANGES:
        return exchanges
    head = exchanges[:OPENING_EXCHANGES]
    opening = max((n + 1 for n, e in enumerate(head) if e.get("method") != "GET"), default=0)
    return exchanges[:opening] + exchanges[opening - MAX_EXCHANGES :]
