"""Access control: a password login (signed session cookie) when the operator sets one.

With an operator key on the server, an open console spends the operator's credits for anyone;
so when CONSOLE_PASSWORD is set, every route but the login page, health check and static files
needs the session cookie, or `Authorization: Bearer <password>` for scripts.
"""

import hashlib
import hmac
import time
from collections import deque
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

SESSION_COOKIE = "rc_session"
SESSION_SECONDS = 7 * 24 * 3600
OPEN_PATHS = ("/login", "/healthz", "/static/", "/lang/")
LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW_S = 300.0


def session_value(secret: bytes, expires: int) -> str:
    signature = hmac.new(secret, f"session:{expires}".encode(), hashlib.sha256).hexdigest()
    return f"{expires}.{signature}"


def session_valid(secret: bytes, value: str, now: float) -> bool:
    expires, _, _ = value.partition(".")
    if not expires.isdigit() or int(expires) < now:
        return False
    return hmac.compare_digest(value, session_value(secret, int(expires)))


def password_matches(password: str, given: str) -> bool:
    return hmac.compare_digest(password.encode(), given.encode())


class LoginLimiter:
    """Failed logins per client address in a sliding window; refuses past the limit."""

    def __init__(self, allowed: int = LOGIN_FAILURES_ALLOWED, window_s: float = LOGIN_WINDOW_S):
        self.allowed = allowed
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, client: str, now: float) -> float:
        """Seconds until `client` may try again; 0 when it may now."""
        failures = self._failures.get(client)
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if failures is None or len(failures) < self.allowed:
            return 0.0
        return failures[0] + self.window_s - now

    def failed(self, client: str, now: float) -> None:
        self._failures.setdefault(client, deque()).append(now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)


class AccessMiddleware:
    """Lets a request through when no password is set, it is open, or it proves the password."""

    def __init__(self, app: ASGIApp, password: str | None, secret: bytes) -> None:
        self.app = app
        self.password = password
        self.secret = secret

    def allowed(self, request: Request) -> bool:
        if self.password is None or request.url.path.startswith(OPEN_PATHS):
            return True
        cookie = request.cookies.get(SESSION_COOKIE, "")
        if cookie and session_valid(self.secret, cookie, time.time()):
            return True
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and password_matches(self.password, token.strip())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.password is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.allowed(request):
            await self.app(scope, receive, send)
            return
        await refusal(request)(scope, receive, send)


def refusal(request: Request) -> Response:
    """401 for scripts and htmx (which then goes to the login page); a redirect for browsers."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = f"/login?next={quote(target, safe='')}"
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {"detail": "log in, or send Authorization: Bearer <password>"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    if request.method in ("GET", "HEAD"):
        return RedirectResponse(login, status_code=303)
    return Response("log in first", status_code=401)
