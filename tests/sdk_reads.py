"""How SDK tests read tasks: through the official SDK, each read parsed as its status's type."""

import time

from runwayml import RunwayML
from runwayml.types import task_retrieve_response as variants

VARIANTS = {
    "PENDING": "Pending",
    "THROTTLED": "Throttled",
    "RUNNING": "Running",
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "CANCELLED": "Cancelled",
}


def is_variant(task: object, status: str) -> bool:
    """The SDK parsed the read as its status's type (it picks by the fields each declares)."""
    return isinstance(task, getattr(variants, VARIANTS[status])) and task.status == status


def watch(sdk: RunwayML, task_id: str, tries: int = 300) -> list:
    """Every read until the task is final, each parsed by the SDK."""
    seen = []
    for _ in range(tries):
        task = sdk.tasks.retrieve(task_id)
        seen.append(task)
        if task.status in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"never final: {seen[-1]}")
