"""A create checked and ready to send: its upstream, the body to send and the one to store, the
endpoint, and the frames it stored (given back if the create is refused)."""

import dataclasses
from dataclasses import dataclass
from typing import Any

from app.catalog.endpoints import DEFAULT_ENDPOINT, ENDPOINTS, CreateEndpoint
from app.catalog.validation import FieldError, Invalid
from app.frames.owners import KeptFrames
from app.runway.endpoints import Upstream


@dataclass(frozen=True)
class Prepared:
    """A create ready to send: its upstream, the body to send and the body to store, and the
    frames it stored (given back if the create is refused)."""

    upstream: Upstream
    to_send: dict[str, Any]
    to_store: dict[str, Any]
    endpoint: CreateEndpoint = ENDPOINTS[DEFAULT_ENDPOINT]
    kept: KeptFrames | None = None


def with_hook(ready: Prepared, hook: str | None) -> Prepared:
    """The create with `notify_hook` set to the console's receiver, when it has one."""
    if hook is None:
        return ready
    to_send = {**ready.to_send, "notify_hook": hook}
    return dataclasses.replace(
        ready, to_send=to_send, to_store={**ready.to_store, "notify_hook": hook}
    )


def merge_errors(found: list[FieldError], exc: Invalid) -> None:
    """Add a check's errors, keeping the first message for each field."""
    known = {error.field for error in found}
    found.extend(error for error in exc.errors if error.field not in known)
