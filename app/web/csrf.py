"""CSRF protection for the page: a double-submit token on every state-changing request.

The page gets a random token in a SameSite=Strict cookie and in a meta tag; htmx sends it back in
`X-CSRF-Token`. Another site can neither read the cookie nor set that header. The JSON API is
left to its own defences: it takes only `application/json` bodies and non-simple methods, which
a cross-site form cannot send without a CORS preflight this console never grants.
"""

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.i18n import gettext as _

CSRF_COOKIE = "rc_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
EXEMPT_PREFIXES = ("/api/", "/simulator/", "/login")  # the login route checks its own form field


def csrf_token(request: Request) -> tuple[str, bool]:
    """The request's token, and whether it is new (so the response must set the cookie)."""
    existing = request.cookies.get(CSRF_COOKIE, "")
    if len(existing) == 43:
        return existing, False
    return secrets.token_urlsafe(32), True


def set_csrf_cookie(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


class CsrfMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exempt = scope["type"] != "http" or scope["method"] in SAFE_METHODS
        if exempt or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not token_matches(request, request.headers.get(CSRF_HEADER, "")):
            response = PlainTextResponse(
                _(
                    "This form is stale or came from another site (CSRF check failed). "
                    "Reload the page and try again."
                ),
                status_code=403,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def token_matches(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie, sent)
