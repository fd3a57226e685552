"""What an upstream call leaves behind: the exchange the inspector shows, and the error the
person sees when it went wrong (its message in the upstream's own words, bounded)."""

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.core.i18n import gettext as _
from app.runway.endpoints import Upstream
from app.runway.redaction import without_surrogates

BODY_LIMIT = 4000


@dataclass
class Exchange:
    """One request and its answer, kept for the inspector (bodies bounded, no key)."""

    method: str
    url: str
    status: int | None
    duration_ms: float
    body: str
    at: float = field(default_factory=time.time)
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "durationMs": round(self.duration_ms, 1),
            "body": self.body,
            "at": self.at,
            "requestHeaders": self.request_headers,
            "requestBody": self.request_body,
        }


class UpstreamError(Exception):
    """Anything that went wrong upstream, shown to the person verbatim (bounded)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: str = "",
        retryable: bool = False,
        retry_after: float | None = None,
        exchange: Exchange | None = None,
        headers: dict[str, str] | None = None,
        reach: str = "",
        http_offer: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reach = reach  # "" (answered or unknown), or app.runway.reach's UNREACHED/PLAIN_HTTP
        self.http_offer = http_offer  # the address with http://, where that may be what works
        self.status = status
        self.body = body[:BODY_LIMIT]
        self.retryable = retryable
        self.retry_after = retry_after
        self.exchange = exchange
        self.headers = headers or {}

    def as_dict(self) -> dict[str, Any]:
        return {"upstreamStatus": self.status, "message": self.message, "body": self.body}


def error_message(status: int, text: str) -> str:
    """The upstream's own words, whatever shape its error body has."""
    try:
        data = without_surrogates(json.loads(text))
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        inner = data.get("error", data.get("message"))
        if isinstance(inner, dict):
            inner = inner.get("message") or json.dumps(inner)
        if inner:
            return f"HTTP {status}: {inner}"[:500]
    snippet = " ".join(text.split())[:300]
    return f"HTTP {status}: {snippet}" if snippet else f"HTTP {status} with an empty body"


def timeout_message(upstream: Upstream, method: str, seconds: float) -> str:
    """A timed-out create may still have started a task upstream; say so, since it may bill."""
    text = _(
        "{upstream} did not answer within {seconds} s",
        upstream=_(upstream.label),
        seconds=f"{seconds:g}",
    )
    if method == "POST":
        text += (
            "; the task may still have been created upstream, so check its history or "
            "account before trying again"
        )
    return text


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


@dataclass
class Probe:
    """What a relay check's probe got: the exchange, and the headers the answer carried."""

    exchange: Exchange
    headers: dict[str, str]

    @property
    def status(self) -> int | None:
        return self.exchange.status

    @property
    def text(self) -> str:
        return self.exchange.body

    def json(self) -> Any:
        try:
            return without_surrogates(json.loads(self.exchange.body))
        except (ValueError, RecursionError):
            return None
