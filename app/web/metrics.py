"""`GET /metrics` for Prometheus: the bearer CONSOLE_METRICS_TOKEN, or the admin's login.

A scraper holds no session, so the access middleware leaves this path open and this route
decides. The token and the password are compared as the bytes the header carried with their
UTF-8, in constant time (`secret_compare.header_bytes`), and every wrong bearer counts against the
client in the same limiter as the password; only a correct password clears it, never the
token, or a scrape would forgive every guess made between scrapes. With neither a token nor
a password there is nobody to show metrics to (they name members), so the route refuses.
"""

import time

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from app.core.secret_compare import header_bytes, same_secret
from app.core.settings import Settings
from app.metrics.exposition import CONTENT_TYPE
from app.web.deps import services
from app.web.middleware.access import (
    SESSION_COOKIE,
    check_password,
    client_key,
    too_many_attempts,
)

router = APIRouter(include_in_schema=False)
METRICS_PATH = "/metrics"


def _token_matches(settings: Settings, given: str) -> bool:
    if settings.metrics_token is None:
        return False
    return same_secret(header_bytes(given), settings.metrics_token.get_secret_value())


async def _admin_session(request: Request) -> bool:
    """The admin's login cookie (a session exists only when CONSOLE_PASSWORD is set); a
    member's session is not the admin's: the metrics name every member."""
    sessions = services(request).sessions
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not cookie or sessions is None:
        return False
    session = await sessions.who(cookie, time.time())
    return session is not None and session.admin


async def refusal(request: Request) -> Response | None:
    """None when the request may read the metrics; else the answer that says why not."""
    settings = services(request).settings
    if settings.metrics_token is None and settings.password is None:
        text = "metrics are off: set CONSOLE_METRICS_TOKEN (or CONSOLE_PASSWORD for the admin)"
        return PlainTextResponse(text, status_code=403)
    limiter = services(request).login_limiter
    client, now = client_key(request), time.time()
    wait = limiter.retry_after(client, now)
    if wait > 0:
        return too_many_attempts(request, wait)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    given = given.strip()
    if scheme.lower() == "bearer" and given:
        if _token_matches(settings, given):  # proves the token, not the password: no reset
            return None
        if settings.password is not None:
            password = settings.password.get_secret_value()
            if check_password(limiter, password, client, header_bytes(given)).ok:
                return None
        else:
            limiter.failed(client, now)
    elif await _admin_session(request):
        return None
    text = "send Authorization: Bearer <CONSOLE_METRICS_TOKEN>, or log in as the admin"
    return PlainTextResponse(text, status_code=401, headers={"WWW-Authenticate": "Bearer"})


@router.get(METRICS_PATH)
async def read_metrics(request: Request) -> Response:
    """This replica's counters and the team's totals in Prometheus' text format."""
    refused = await refusal(request)
    if refused is not None:
        return refused
    body = await services(request).metrics.exposition()
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
