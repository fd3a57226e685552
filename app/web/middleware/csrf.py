"""CSRF protection for the page: a double-submit token on every state-changing request.

The page gets a random token in a SameSite=Strict cookie and in a meta tag; htmx sends it back in
`X-CSRF-Token`. Another site can neither read the cookie nor set that header. The JSON API is
left to its own defences: it takes only `application/json` bodies and non-simple methods, which
a cross-site form cannot send without a CORS preflight this console never grants (CORS is
answered on the bearer-only gateway paths alone: app/gateway/protocol.py). The simulator
(mounted at /simulator, or alone) has no page and no token, so it gets that rule enforced: a
POST that is not `application/json` (a form, `text/plain`, no body type) is refused with 415.
"""

import re
import secrets

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.i18n import gettext as _
from app.core.secret_compare import same_secret

CSRF_COOKIE = "rc_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The login route checks its own form field; /hooks/ takes callbacks from relays, no page; the
# gateway (/v1/, /runwayml/v1/) takes a bearer token and no cookie, so a cross-site request has
# nothing to ride on.
EXEMPT_PREFIXES = ("/api/", "/simulator/", "/login", "/hooks/", "/v1/", "/runwayml/v1/")
JSON_ONLY_PREFIX = "/simulator/"
SIMPLE_METHODS = ("POST",)  # the one state-changing method a page may send without a preflight


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
        if not exempt and scope["path"].startswith(JSON_ONLY_PREFIX) and not is_json(scope):
            await JSON_REQUIRED(scope, receive, send)
            return
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
    return bool(cookie) and same_secret(sent, cookie)


SIGNED_UPLOAD = re.compile(r"^(/simulator)?/uploads/[0-9a-f-]{36}$")
JSON_REQUIRED = PlainTextResponse("This endpoint takes application/json only.", status_code=415)


def is_json(scope: Scope) -> bool:
    """Whether a request is JSON, or needed a CORS preflight anyway (not a POST). The one
    exception is an upload's multipart form (`.../uploads/<id>`, as the SDK sends it to a
    bucket): it carries a signature only the simulator's own `POST /v1/uploads` hands out."""
    if scope["method"] not in SIMPLE_METHODS or SIGNED_UPLOAD.search(scope["path"]):
        return True
    content_type = dict(scope["headers"]).get(b"content-type", b"")
    return content_type.split(b";")[0].strip().lower() == b"application/json"


class JsonOnlyMiddleware:
    """The rule above for a whole app: the standalone simulator, which has no other guard."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not is_json(scope):
            await JSON_REQUIRED(scope, receive, send)
            return
        await self.app(scope, receive, send)
