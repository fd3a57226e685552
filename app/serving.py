"""How uvicorn serves the console and the standalone simulator.

Three things uvicorn does not do by default: bound a request head that never ends (with httptools
it buffers headers without limit), leave the client address alone (by default it believes
`X-Forwarded-For` from 127.0.0.1, so anyone on the machine, or any proxy in front, could pick
the address the login limiter sees), and take the host from the operator's proxies (the console
answers absolute URLs on the host the client used). All are decided here, once, for every command.
"""

import ipaddress
import re
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.web.middleware.header_limit import MAX_HEADER_BYTES

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


def uvicorn_options() -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run`: bounded heads, and no forwarded header believed
    (`behind_proxies` does that, for the operator's proxies only)."""
    protocol = BoundedHttpToolsProtocol if HttpToolsProtocol is not None else "h11"
    return {
        "http": protocol,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "proxy_headers": False,
    }


HOST = re.compile(rb"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


class ForwardedHost:
    """`X-Forwarded-Host` from a trusted proxy becomes the request's Host: uvicorn's proxy
    middleware forwards the scheme and the client, not the host."""

    def __init__(self, app: ASGIApp, trusted: list[str]) -> None:
        self.app = app
        self.any = "*" in trusted
        self.networks = []
        for entry in trusted:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                continue  # "*" or a unix socket literal: nothing to match an IP against

    def _trusted(self, client: tuple[str, int] | None) -> bool:
        if self.any:
            return True
        try:
            address = ipaddress.ip_address(client[0]) if client else None
        except ValueError:
            return False
        return address is not None and any(address in net for net in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self._trusted(scope.get("client")):
            values = [v for k, v in scope["headers"] if k == b"x-forwarded-host"]
            host = values[0].split(b",")[0].strip() if values else b""
            if HOST.fullmatch(host):
                headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
                scope = {**scope, "headers": [*headers, (b"host", host)]}
        await self.app(scope, receive, send)


def behind_proxies(app: ASGIApp, trusted_proxies: list[str]) -> ASGIApp:
    """`app` as the operator's proxies reach it: from those alone, the forwarded scheme and
    client (uvicorn's middleware) and host (ours) are believed; with none named, nothing is."""
    if not trusted_proxies:
        return app
    inner = ProxyHeadersMiddleware(app, trusted_hosts=trusted_proxies)  # type: ignore[arg-type]
    return ForwardedHost(inner, trusted_proxies)
