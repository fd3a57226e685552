"""Bound the request head: at most 64 KB of request line and headers, at most 100 headers.

Servers differ (uvicorn with httptools reads headers without any bound, h11 stops at its own
size and answers 400), so the app checks the head it was given, however it is served, and
answers 431 before any route, cookie parser or middleware walks the headers. The server-level
cut for a head that never ends lives in `app.serving`.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 100


def head_bytes(scope: Scope) -> int:
    """The head's size as it came on the wire, near enough: request line and header lines."""
    line = len(scope.get("method", "")) + len(scope.get("raw_path") or b"") + 12
    line += len(scope.get("query_string", b""))
    return line + sum(len(name) + len(value) + 4 for name, value in scope["headers"])


async def send_431(send: Send) -> None:
    body = (
        f"Request header fields too large: at most {MAX_HEADERS} headers "
        f"and {MAX_HEADER_BYTES // 1024} KB in all"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 431,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HeaderLimitMiddleware:
    """431 for a request with too many headers or too large a head; everything else passes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            len(scope["headers"]) > MAX_HEADERS or head_bytes(scope) > MAX_HEADER_BYTES
        ):
            await send_431(send)
            return
        await self.app(scope, receive, send)
