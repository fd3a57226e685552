"""Fault switches: make the simulator misbehave the ways real upstreams do.

Set through the control endpoint (`POST /_sim/faults`) for tests and scripts, or by magic
markers a tester types into the prompt (`[sim:429]`), so every failure path can be shown in the
page as well as tested.
"""

import threading
from dataclasses import asdict, dataclass
from typing import Any

TARGETS = ("create", "read", "cancel", "output", "callback", "any")
KINDS = ("status", "malformed", "html", "latency", "drop", "duplicate", "slow")

# Prompt markers that decide how a task ends, or how its create is answered.
FAILURE_MARKERS = {
    "[sim:moderation]": ("SAFETY.INPUT.TEXT", "The prompt was flagged by content moderation."),
    "[sim:bad-output]": ("INTERNAL.BAD_OUTPUT.CODE01", "The output failed a quality check."),
    "[sim:internal]": ("INTERNAL", "An unexpected error occurred while generating."),
}
CREATE_STATUS_MARKERS = {
    "[sim:400]": 400,
    "[sim:401]": 401,
    "[sim:429]": 429,
    "[sim:500]": 500,
    "[sim:502]": 502,
    "[sim:503]": 503,
}


@dataclass
class FaultRule:
    """One switch: what it hits, how it misbehaves, and how many more times (None: until reset)."""

    target: str = "any"
    kind: str = "status"
    status: int = 500
    retry_after: float | None = None
    latency_ms: int = 0
    remaining: int | None = 1

    def matches(self, target: str) -> bool:
        """`any` means any request the simulator answers; a callback is one it makes."""
        return self.target == target or (self.target == "any" and target != "callback")


class FaultBoard:
    """The active rules; consulted by every simulator route."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> None:
        if rule.target not in TARGETS or rule.kind not in KINDS:
            raise ValueError(f"target must be one of {TARGETS}, kind one of {KINDS}")
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(rule) for rule in self._rules]

    def take(self, target: str) -> list[FaultRule]:
        """The rules that fire for this request, using up one of each rule's count."""
        fired = []
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(target):
                    continue
                fired.append(rule)
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
        return fired


def marker_outcome(prompt: str) -> tuple[str, str | None, str | None]:
    """(final status, failureCode, failure text) chosen by markers in the prompt."""
    for marker, (code, text) in FAILURE_MARKERS.items():
        if marker in prompt:
            return "FAILED", code, text
    return "SUCCEEDED", None, None


def marker_no_credits(prompt: str) -> bool:
    """`[sim:no-credits]`: the create is refused as a key without credits is."""
    return "[sim:no-credits]" in prompt


def marker_create_status(prompt: str) -> int | None:
    for marker, status in CREATE_STATUS_MARKERS.items():
        if marker in prompt:
            return status
    return None
