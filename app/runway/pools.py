"""The console's connections to upstreams: httpx as the client API, aiohttp's engine under it.

httpcore's pool walks every pooled connection on each request and release, polling each idle
socket as it goes (encode/httpcore#924), and h11 parses in pure Python; the console spread its
connections over eight httpcore pools to bound the walk. aiohttp's connector keeps its idle
connections per host and parses in C. Measured side by side (bench/README.md, issue 28): the
console's CPU per create 0.4 ms lower at concurrency 1, per create+read pair 1.2 ms lower at
concurrency 50. The transport is `httpx-aiohttp`'s, the one the official SDK offers; the SSRF
guard (guard.py) stays in front of it and decides every connection's address before it is made.

What httpcore raised is what this raises, so every message about an upstream that failed
reads as before: a connection dropped before the answer is a `RemoteProtocolError`.
"""

import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

# aiohttp's error -> what httpcore raised for the same event. Checked in order: the first match.
_AS_HTTPCORE: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ClientOSError, httpx.ReadError),
    (aiohttp.ClientError, httpx.TransportError),
)


@contextmanager
def _as_httpcore() -> Iterator[None]:
    """Re-raise an engine error as the httpx error httpcore gave for it."""
    try:
        yield
    except httpx.TransportError as exc:
        cause = exc.__cause__
        for engine_error, ours in _AS_HTTPCORE:
            if isinstance(cause, engine_error):
                raise ours(str(cause) or type(cause).__name__) from cause
        raise


class _Body(httpx.AsyncByteStream):
    """An answer's body, its errors as httpcore's."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpcore():
            async for chunk in self._inner:
                yield chunk

    async def aclose(self) -> None:
        with _as_httpcore():
            await self._inner.aclose()


class EngineTransport(AiohttpTransport):
    """httpx-aiohttp's transport, failing in httpcore's words."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _as_httpcore():
            response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Body(response.stream)  # the same answer, its errors as httpcore's
        return response


def engine_transport(tls: ssl.SSLContext, keepalive_s: float) -> EngineTransport:
    """One pooled transport for every upstream, its session made on first use (in the loop):
    no cap on connections (as the httpcore pools had none), idle ones dropped after
    `keepalive_s`, no proxy from the environment, and only the headers the console sets
    (no User-Agent, Accept or Accept-Encoding of aiohttp's own, as with httpcore)."""

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(ssl=tls, limit=0, keepalive_timeout=keepalive_s)
        return aiohttp.ClientSession(
            connector=connector,
            trust_env=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
        )

    return EngineTransport(verify=tls, client=session)
