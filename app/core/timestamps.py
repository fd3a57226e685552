"""Time as the Runway API writes it, and the UTC day every daily allowance counts in.

Budgets, demo pools and frame allowances all turn at 00:00 UTC, so every replica and every
allowance agrees when "today" ends; `day_number` and `day_of` are that one rule.
"""

from datetime import UTC, date, datetime, timedelta

DAY_S = 86_400
EPOCH_DAY = date(1970, 1, 1)


def iso_time(timestamp: float) -> str:
    """`2024-11-06T10:00:00.000+00:00` for a Unix time."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def day_number(timestamp: float) -> int:
    """The UTC day of a Unix time as whole days since 1970-01-01 (an integer column's key)."""
    return int(timestamp // DAY_S)


def day_of(timestamp: float) -> str:
    """The same UTC day written `2026-12-07` (a text column's key)."""
    return (EPOCH_DAY + timedelta(days=day_number(timestamp))).isoformat()


def resets_at(timestamp: float) -> datetime:
    """The next 00:00 UTC after `timestamp`: when today's use starts again from 0."""
    return datetime.fromtimestamp((day_number(timestamp) + 1) * DAY_S, UTC)
