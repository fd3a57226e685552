"""A task's status as Runway names it, and which statuses are final (docs/runway-api.md)."""

from enum import StrEnum


class Status(StrEnum):
    PENDING = "PENDING"
    THROTTLED = "THROTTLED"  # queued behind the organisation's concurrency limit
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


# A task in one of these never changes again: nobody asks upstream about it any more.
FINAL_STATUSES = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
STATUSES = tuple(Status)
