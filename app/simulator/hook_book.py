"""Where the simulator's notify_hook callbacks may go, the watchers running, and what each did.

Its own module so the shared state can hold it without importing the delivery code (which
needs the task routes, which need the state): see `callbacks.py` for the deliveries.
"""

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Callbacks:
    """Where hooks may point, the watchers running, and what each delivery did."""

    allowed_prefix: str | None  # None: callbacks off; "": any http(s) URL; else URLs under it
    transport: httpx.AsyncBaseTransport | None = None  # the console's own app, when mounted in it
    log: list[dict[str, Any]] = field(default_factory=list)
    watchers: set[asyncio.Task[None]] = field(default_factory=set)

    def refusal(self, hook: str) -> str | None:
        """Why this hook will not be called, or None when it will."""
        if not hook.startswith(("http://", "https://")):
            return "Expected an http(s) URL"
        if self.allowed_prefix and not hook.startswith(self.allowed_prefix):
            return f"This simulator calls back only to {self.allowed_prefix}"
        return None

    def calls_on_official_paths(self, hook: str) -> bool:
        """Inside the console (a prefix is set), its built-in upstream calls back too."""
        return bool(self.allowed_prefix) and hook.startswith(self.allowed_prefix or "")
