"""How uvicorn serves the console and the standalone simulator.

Two things uvicorn does not do by default: bound a request head that never ends (with httptools
it buffers headers without limit), and leave the client address alone (by default it believes
`X-Forwarded-For` from 127.0.0.1, so anyone on the machine, or any proxy in front, could pick
the address the login limiter sees). Both are decided here, once, for every command.
"""

from typing import Any

from app.web.header_limit import MAX_HEADER_BYTES

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # uvicorn without httptools: h11, bounded by its own incomplete-event size
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

REFUSAL_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 32\r\n"
    b"connection: close\r\n\r\n"
    b"Request header fields too large\n"
)


if HttpToolsProtocol is not None:

    class BoundedHttpToolsProtocol(HttpToolsProtocol):  # type: ignore[misc,valid-type]
        """uvicorn's httptools protocol, answering 431 once an unfinished head passes the limit.

        A finished head over the limit is refused by `HeaderLimitMiddleware`; this only stops
        the server from buffering one that never ends.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._awaiting_headers = True
            self._head_bytes = 0

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._awaiting_headers = True

        def on_headers_complete(self) -> None:
            self._awaiting_headers = False
            self._head_bytes = 0
            super().on_headers_complete()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if not self._awaiting_headers or self.transport.is_closing():
                return
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEADER_BYTES:
                self.transport.write(REFUSAL_431)
                self.transport.close()


def uvicorn_options(trusted_proxies: list[str]) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run`: bounded heads; the peer address is the client's
    unless the operator named the proxies whose `X-Forwarded-For` may say otherwise."""
    protocol = BoundedHttpToolsProtocol if HttpToolsProtocol is not None else "h11"
    return {
        "http": protocol,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "proxy_headers": bool(trusted_proxies),
        "forwarded_allow_ips": trusted_proxies or [],
    }
