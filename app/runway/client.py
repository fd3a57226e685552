"""The upstream client: create, read and cancel Runway tasks over httpx.

One instance per app shares two pooled `httpx.AsyncClient`s: one for the network (behind the
SSRF guard, redirects never followed) and one wired to the in-process simulator. Every failure
becomes an `UpstreamError` carrying what the person needs to see. A create is never retried:
Runway has no idempotency key, so a retried POST can start and bill a second task.
"""

import asyncio
import json
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.core.i18n import gettext as _
from app.core.transcript import masked_headers, shorten_data_uris
from app.runway.endpoints import SIMULATOR_ORIGIN, Upstream, UpstreamKind
from app.runway.exchange import (
    BODY_LIMIT,
    Exchange,
    Probe,
    UpstreamError,
    error_message,
    retry_after_seconds,
    timeout_message,
)
from app.runway.guard import PublicOnlyTransport, UpstreamRefused
from app.runway.outputs import on_upstream_origin
from app.runway.reach import unanswered
from app.runway.redaction import redact_answer, without_surrogates
from app.runway.url_cache import parsed_url

DECODED = ("content-encoding", "content-length")  # describe the bytes before decoding
SIMULATOR_ANONYMOUS_KEY = "sim-anonymous"
READ_ATTEMPTS = 3
MAX_BACKOFF_S = 8.0
USER_AGENT = "runway-console"
MAX_TASK_ID = 1000  # Runway's are uuids; a relay's may be anything, but not a novel
MAX_ANSWER_BYTES = 1024 * 1024  # a task or error answer is a few KB; a relay may send anything
# Told of each upstream call as it ends: (kind of call, upstream kind, HTTP status or None when
# no answer came, seconds); app/metrics/replica.py counts them.
UpstreamObserver = Callable[[str, str, int | None, float], None]


class RunwayClient:
    """Talks to one of the three kinds of upstream; never logs or stores the key.

    Task calls go straight to the httpx transport with a request built here: the client layer
    (cookies, auth flows, redirects, URL merging) does nothing these calls need, and it was most
    of the console's own cost per proxied request (bench/README.md). Output videos are streamed
    through ordinary clients on the same transports.
    """

    def __init__(
        self,
        network: httpx.AsyncBaseTransport,
        simulator: httpx.AsyncBaseTransport,
        timeout: httpx.Timeout | None = None,
        observe: UpstreamObserver | None = None,
    ) -> None:
        self._observe = observe or (lambda kind, upstream, status, seconds: None)
        self._timeout = timeout or httpx.Timeout(30.0, connect=5.0)
        self._timeout_s = (self._timeout.read or 30.0) + (self._timeout.connect or 5.0)
        self._simulator_transport = simulator
        self._network_transport = network
        self._network = httpx.AsyncClient(
            transport=network, timeout=self._timeout, follow_redirects=False
        )
        self._simulator = httpx.AsyncClient(
            transport=simulator, base_url=SIMULATOR_ORIGIN, timeout=self._timeout
        )
        self._public_outputs = httpx.AsyncClient(
            transport=PublicOnlyTransport(network), timeout=self._timeout, follow_redirects=False
        )

    def _transport(self, upstream: Upstream) -> httpx.AsyncBaseTransport:
        if upstream.kind is UpstreamKind.SIMULATOR:
            return self._simulator_transport
        return self._network_transport

    async def aclose(self) -> None:
        await self._network.aclose()
        await self._simulator.aclose()
        await self._public_outputs.aclose()

    @staticmethod
    def _headers(upstream: Upstream, key: str | None) -> dict[str, str]:
        token = key or (SIMULATOR_ANONYMOUS_KEY if upstream.kind is UpstreamKind.SIMULATOR else "")
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": USER_AGENT,
            **upstream.headers,
        }
        if token:  # no key: no header at all, and the upstream's own 401 is what is shown
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def _send(
        self,
        kind: str,
        upstream: Upstream,
        method: str,
        url: str,
        key: str | None,
        body: Any = None,
        header_changes: dict[str, str | None] | None = None,
    ) -> tuple[httpx.Response, Exchange]:
        headers = self._headers(upstream, key)
        for name, value in (header_changes or {}).items():  # None: leave the header out
            headers.pop(name, None)
            if value is not None:
                headers[name] = value
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        status: int | None = None
        try:
            async with asyncio.timeout(self._timeout_s):
                response = await self._exchange(upstream, method, url, headers, body, key)
            status = response.status_code
        except UpstreamRefused as exc:
            raise UpstreamError(str(exc)) from None
        except (httpx.TimeoutException, TimeoutError):
            message = timeout_message(upstream, method, self._timeout_s)
            raise UpstreamError(message, retryable=True) from None
        except httpx.RemoteProtocolError:
            message = _(
                "{upstream} dropped the connection before the answer was complete",
                upstream=_(upstream.label),
            )
            raise UpstreamError(message, retryable=True) from None
        except httpx.HTTPError as exc:
            raise unanswered(upstream, exc) from None
        finally:
            self._observe(kind, upstream.kind.value, status, time.perf_counter() - started)
        elapsed = (time.perf_counter() - started) * 1000
        exchange = Exchange(
            method,
            url,
            response.status_code,
            elapsed,
            response.text[:BODY_LIMIT],
            request_headers=masked_headers(headers),
            request_body=shorten_data_uris(body) if body is not None else None,
        )
        if response.is_success:
            return response, exchange
        raise UpstreamError(
            error_message(response.status_code, response.text),
            status=response.status_code,
            body=response.text,
            retryable=response.status_code == 429 or response.status_code >= 500,
            retry_after=retry_after_seconds(response),
            exchange=exchange,
            headers=dict(response.headers),
        )

    async def _exchange(
        self,
        upstream: Upstream,
        method: str,
        url: str,
        headers: dict[str, str],
        body: Any,
        key: str | None,
    ) -> httpx.Response:
        """One request, its whole answer read (the key masked in it), and the connection
        handed back to the pool."""
        content = None
        if body is not None:
            content = json.dumps(
                body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()
        request = httpx.Request(
            method,
            parsed_url(url),
            headers=headers,
            content=content,
            extensions={"timeout": self._timeout.as_dict()},
        )
        response = await self._transport(upstream).handle_async_request(request)
        response.request = request
        answer = bytearray()
        try:
            async for chunk in response.aiter_bytes():  # decoded (gzip) as it arrives
                answer += chunk
                if len(answer) > MAX_ANSWER_BYTES:
                    raise UpstreamError(
                        _(
                            "{upstream} answered with more than {mb} MB; not read further",
                            upstream=_(upstream.label),
                            mb=MAX_ANSWER_BYTES // (1024 * 1024),
                        )
                    )
        finally:
            await response.aclose()
        kept = [(k, v) for k, v in response.headers.multi_items() if k not in DECODED]
        kept, content = redact_answer(kept, bytes(answer), key)
        return httpx.Response(response.status_code, headers=kept, content=content, request=request)

    @staticmethod
    def _json(response: httpx.Response, exchange: Exchange) -> dict[str, Any]:
        try:
            data = without_surrogates(response.json())
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            raise UpstreamError(
                _("HTTP {status}, but the body is not a JSON object", status=response.status_code),
                status=response.status_code,
                body=response.text,
                retryable=True,
                exchange=exchange,
            )
        return data

    async def create(
        self,
        upstream: Upstream,
        key: str | None,
        body: dict[str, Any],
        endpoint: str = "image_to_video",
    ) -> tuple[str, Exchange]:
        """Start a task at `endpoint`; exactly one POST, whatever happens."""
        url = upstream.endpoint_url(endpoint)
        response, exchange = await self._send("create", upstream, "POST", url, key, body)
        data = self._json(response, exchange)
        task_id = data.get("id")
        if isinstance(task_id, int) and not isinstance(task_id, bool):
            task_id = str(task_id)
        if not isinstance(task_id, str) or not task_id or len(task_id) > MAX_TASK_ID:
            raise UpstreamError(
                _("the upstream accepted the task but gave no task id"),
                status=response.status_code,
                body=response.text,
                exchange=exchange,
            )
        return task_id, exchange

    async def read(
        self, upstream: Upstream, key: str | None, task_id: str
    ) -> tuple[dict[str, Any], Exchange]:
        """Read a task, retrying 429/5xx/timeouts with capped, jittered backoff."""
        for attempt in range(READ_ATTEMPTS):
            try:
                response, exchange = await self._send(
                    "read", upstream, "GET", upstream.task_url(task_id), key
                )
                return self._json(response, exchange), exchange
            except UpstreamError as exc:
                if not exc.retryable or attempt == READ_ATTEMPTS - 1:
                    raise
                delay = exc.retry_after
                if delay is None:
                    delay = 0.25 * 2**attempt * (0.5 + random.random())
                await asyncio.sleep(min(delay, MAX_BACKOFF_S))
        raise AssertionError("unreachable")

    async def cancel(self, upstream: Upstream, key: str | None, task_id: str) -> Exchange:
        """Cancel a running task or delete a finished one upstream."""
        _, exchange = await self._send(
            "cancel", upstream, "DELETE", upstream.task_url(task_id), key
        )
        return exchange

    async def organization(self, upstream: Upstream, key: str | None) -> dict[str, Any]:
        response, exchange = await self._send(
            "organization", upstream, "GET", upstream.organization_url, key
        )
        return self._json(response, exchange)

    def stream_output(self, upstream: Upstream, url: str) -> Any:
        """A streamed GET of an output video; the simulator's are served in process."""
        http, url = self.client_for(upstream, url, "/outputs/")
        return http.stream("GET", url)

    def client_for(
        self, upstream: Upstream, url: str, folder: str
    ) -> tuple[httpx.AsyncClient, str]:
        """The client (and URL) for an address an upstream handed out: the built-in
        simulator's in process (from `folder` on), the upstream's own origin as the upstream
        is reached, anywhere else through the guard for public hosts only."""
        if upstream.kind is UpstreamKind.SIMULATOR:
            parts = urlsplit(url)
            path = parts.path[parts.path.find(folder) :]
            return self._simulator, f"{path}?{parts.query}" if parts.query else path
        if on_upstream_origin(url, upstream):
            return self._network, url
        return self._public_outputs, url

    async def start_upload(
        self, upstream: Upstream, key: str | None, filename: str
    ) -> tuple[dict[str, Any], Exchange]:
        """`POST /v1/uploads` for an ephemeral upload: `{runwayUri, uploadUrl, fields}`."""
        body = {"filename": filename, "type": "ephemeral"}
        response, exchange = await self._send(
            "upload", upstream, "POST", upstream.uploads_url, key, body
        )
        return self._json(response, exchange), exchange

    async def probe(
        self,
        upstream: Upstream,
        method: str,
        url: str,
        key: str | None,
        body: Any = None,
        header_changes: dict[str, str | None] | None = None,
    ) -> Probe:
        """One request whose answer is returned whatever its status (for the relay check);
        `header_changes` sets headers, or leaves them out where the value is None."""
        try:
            response, exchange = await self._send(
                "probe", upstream, method, url, key, body, header_changes
            )
        except UpstreamError as exc:
            if exc.exchange is None:
                raise
            return Probe(exc.exchange, exc.headers)
        return Probe(exchange, dict(response.headers))
