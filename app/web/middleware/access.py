"""Access control: a password login (a session cookie) when the operator sets one.

With an operator key on the server, an open console spends the operator's credits for anyone;
so when CONSOLE_PASSWORD is set, every route but the login page, health check and static files
needs the session cookie, or `Authorization: Bearer <password>` for scripts. Every password
check, the login form's and the bearer's alike, goes through one limiter keyed by the client's
real address; so does every gateway answer but a success to a bearer that is no member token
(app/gateway/auth.py), where the password is no credential but is compared all the same. Only
a correct password clears a client's failures.
"""

import ipaddress
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.secret_compare import header_bytes, same_secret
from app.team.sessions import Sessions
from app.web.roles import keep_session

SESSION_COOKIE = "rc_session"
# `/shared/` pages carry their own credential: the share link, checked by app/web/shared.py.
# /hooks/: a relay's callback cannot log in; its unguessable token is its credential.
# The Runway gateway (app/gateway) authenticates by member token itself: an SDK cannot log in.
# The simulator's output URLs and upload forms are signed and expiring, like Runway's: the URL
# (or the form's signature) is the capability an app was handed, so an app can fetch what the
# gateway answered with, and post the file `POST /v1/uploads` made room for.
GATEWAY_PATHS = ("/v1/", "/runwayml/v1/", "/simulator/outputs/", "/simulator/uploads/")
# /metrics: a scraper cannot log in; app/web/metrics.py takes its token or the admin's login.
OPEN_PATHS = (
    "/login",
    "/healthz",
    "/static/",
    "/lang/",
    "/shared/",
    "/hooks/",
    "/metrics",
    *GATEWAY_PATHS,
)
LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW_S = 300.0
MAX_TRACKED_CLIENTS = 10_000  # so a flood from many addresses cannot grow the table unbounded


def client_key(request: Request) -> str:
    """The address the limiter counts. The server names the peer (believing `X-Forwarded-For`
    only from CONSOLE_TRUSTED_PROXIES); an IPv6 client counts by its /64, which one host
    usually holds whole."""
    host = request.client.host if request.client else "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class LoginLimiter:
    """Failed password checks per client address in a sliding window; refuses past the limit."""

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
        if client not in self._failures and len(self._failures) >= MAX_TRACKED_CLIENTS:
            self._forget_oldest(now)
        self._failures.setdefault(client, deque()).append(now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)

    def _forget_oldest(self, now: float) -> None:
        """Drop clients whose failures are all past the window, or else the oldest one."""
        stale = [c for c, f in self._failures.items() if not f or f[-1] <= now - self.window_s]
        for client in stale or [next(iter(self._failures))]:
            del self._failures[client]


@dataclass(frozen=True)
class Attempt:
    ok: bool
    retry_after_s: float = 0.0  # over 0: not even compared, too many recent failures


def check_password(
    limiter: LoginLimiter, password: str, client: str, given: str | bytes
) -> Attempt:
    """The one password check: throttled per client, counted when wrong. `given` is the text
    of a form, or the bytes of a header (`secret_compare.header_bytes`)."""
    now = time.time()
    wait = limiter.retry_after(client, now)
    if wait > 0:
        return Attempt(False, wait)
    if same_secret(given, password):
        limiter.succeeded(client)
        return Attempt(True)
    limiter.failed(client, now)
    return Attempt(False)


class AccessMiddleware:
    """Lets a request through when no password is set, it is open, or it proves the password."""

    def __init__(
        self, app: ASGIApp, password: str | None, sessions: Sessions | None, limiter: LoginLimiter
    ) -> None:
        self.app = app
        self.password = password
        self.sessions = sessions
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.password is None or self.sessions is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if request.url.path.startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        cookie = request.cookies.get(SESSION_COOKIE, "")
        session = await self.sessions.who(cookie, time.time()) if cookie else None
        if session is not None:
            keep_session(scope, session)  # whose it is: app/web/roles.py
            await self.app(scope, receive, send)
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            await refusal(request)(scope, receive, send)
            return
        given = header_bytes(token.strip())
        attempt = check_password(self.limiter, self.password, client_key(request), given)
        if attempt.ok:
            await self.app(scope, receive, send)
        elif attempt.retry_after_s > 0:
            await too_many_attempts(request, attempt.retry_after_s)(scope, receive, send)
        else:
            await refusal(request)(scope, receive, send)


def throttled_words(wait_s: float) -> tuple[str, str]:
    """The `Retry-After` seconds and the sentence every throttled password check answers."""
    seconds = str(int(wait_s) + 1)
    return seconds, f"Too many failed password attempts. Try again in {seconds} s."


def too_many_attempts(request: Request, wait_s: float) -> Response:
    seconds, text = throttled_words(wait_s)
    headers = {"Retry-After": seconds}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": text}, status_code=429, headers=headers)
    return PlainTextResponse(text, status_code=429, headers=headers)


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
