"""The login page and logout, used when the operator sets CONSOLE_PASSWORD."""

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import LANGUAGES
from app.i18n import gettext as _
from app.web.access import SESSION_COOKIE, SESSION_SECONDS, password_matches, session_value
from app.web.csrf import token_matches
from app.web.render import render_page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    """Only a path on this site: `//evil.example` and absolute URLs go home instead."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    if request.app.state.settings.password is None:
        return RedirectResponse("/", status_code=303)
    return render_page(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def log_in(
    request: Request,
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = request.app.state.settings
    if settings.password is None:
        return RedirectResponse("/", status_code=303)
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    now = time.time()
    context = {"next": _safe_next(next), "error": None}
    wait = limiter.retry_after(client, now)
    if wait > 0:
        context["error"] = _(
            "Too many failed attempts. Try again in {seconds} s.", seconds=int(wait) + 1
        )
        response = render_page(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    if not token_matches(request, csrf_token):
        context["error"] = _("The form was stale; please try again.")
        return render_page(request, "login.html", context, status_code=403)
    if not password_matches(settings.password.get_secret_value(), password):
        limiter.failed(client, now)
        context["error"] = _("Wrong password.")
        return render_page(request, "login.html", context, status_code=401)
    limiter.succeeded(client)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_value(request.app.state.session_secret, int(now + SESSION_SECONDS)),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


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
async def log_out() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
