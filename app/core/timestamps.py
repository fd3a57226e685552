"""Time as the Runway API writes it: ISO 8601 in UTC, to the millisecond."""

from datetime import UTC, datetime


def iso_time(timestamp: float) -> str:
    """`2024-11-06T10:00:00.000+00:00` for a Unix time."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")
