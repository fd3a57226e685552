"""Names the request's client address for the daily caps that count per address.

A frame's allowance is per scope, and a scope (a demo cookie, a pass-through key) costs a
stranger nothing to make; the client address does not change with it. This middleware puts the
address, as an HMAC under the server secret, where the frame allowance reads it
(app/frames/allowance.py `CLIENT_SCOPE`), for every path that stores a frame.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.keys import address_scope
from app.frames.allowance import CLIENT_SCOPE
from app.web.middleware.access import client_key


class ClientScopeMiddleware:
    def __init__(self, app: ASGIApp, secret: bytes) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = client_key(Request(scope))
        token = CLIENT_SCOPE.set(address_scope(self.secret, address, "frame-address"))
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT_SCOPE.reset(token)
