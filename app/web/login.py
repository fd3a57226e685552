"""The login page and logout, used when the operator sets CONSOLE_PASSWORD."""

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.i18n import COOKIE as LANGUAGE_COOKIE
from app.core.i18n import LANGUAGES
from app.core.i18n import gettext as _
from app.team.sessions import SESSION_SECONDS, Sessions
from app.web.deps import services
from app.web.member_login import check_member_token, is_member_sign_in
from app.web.middleware.access import SESSION_COOKIE, Attempt, check_password, client_key
from app.web.middleware.csrf import token_matches
from app.web.render import render_page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    """Only a path on this site: `//evil.example` and absolute URLs go home instead."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _sessions(request: Request) -> Sessions:
    """The sign-in sessions, which exist whenever a password is set (the only way here)."""
    sessions = services(request).sessions
    if sessions is None:
        raise RuntimeError("sessions exist only with CONSOLE_PASSWORD")
    return sessions


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    if services(request).settings.password is None:
        return RedirectResponse("/", status_code=303)
    return render_page(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def log_in(
    request: Request,
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = services(request).settings
    if settings.password is None:
        return RedirectResponse("/", status_code=303)
    context = {"next": _safe_next(next), "error": None}
    if not token_matches(request, csrf_token):
        context["error"] = _("The form was stale; please try again.")
        return render_page(request, "login.html", context, status_code=403)
    attempt, member = await _attempt(request, password)
    if attempt.retry_after_s > 0:
        seconds = int(attempt.retry_after_s) + 1
        context["error"] = _("Too many failed attempts. Try again in {seconds} s.", seconds=seconds)
        response = render_page(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    if not attempt.ok:
        context["error"] = _("Wrong password or member token.")
        return render_page(request, "login.html", context, status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        await _sessions(request).open(time.time(), member),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


async def _attempt(request: Request, given: str) -> tuple[Attempt, str | None]:
    """The password (the admin), or a member's token (that member): one form takes either."""
    state, client = services(request), client_key(request)
    if is_member_sign_in(given):
        return await check_member_token(state.login_limiter, state.members, client, given)
    password = state.settings.password.get_secret_value()
    return check_password(state.login_limiter, password, client, given), None


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str) -> Response:
    """The language switch; the choice sticks for a year in a cookie."""
    referer = request.headers.get("referer", "")
    origin = str(request.base_url)
    back = referer[len(origin) - 1 :] if referer.startswith(origin) else "/"
    response = RedirectResponse(_safe_next(back), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.post("/logout")
async def log_out(request: Request) -> Response:
    """Ends the session on the server, so a copy of the cookie opens nothing afterwards."""
    token = request.cookies.get(SESSION_COOKIE, "")
    sessions = services(request).sessions
    if token and sessions is not None:
        await sessions.close(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
