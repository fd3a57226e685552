"""Two roles behind the password: the admin and the members.

The admin is whoever proved the password (the login form or `Authorization: Bearer`); a member
signed in on the same form with their own token, and their session says so. The access
middleware keeps the session it found in the request's state; everything here reads it, so the
rule "who is the admin" is decided in this one place.
"""

from fastapi import HTTPException, Request
from starlette.types import Scope

from app.core.i18n import gettext as _
from app.core.keys import OWNER_PREFIX, Caller
from app.team.sessions import Session

STATE_KEY = "console_session"


def keep_session(scope: Scope, session: Session) -> None:
    scope.setdefault("state", {})[STATE_KEY] = session


def session_member(request: Request) -> str | None:
    """The member whose session this request came with, or None (admin, or no password)."""
    session = request.scope.get("state", {}).get(STATE_KEY)
    return session.member if isinstance(session, Session) else None


def member_caller(request: Request) -> Caller | None:
    """A member's session is the member, whatever the page's key field holds: the operator's
    upstream, under their name and budget."""
    member = session_member(request)
    return Caller(None, f"{OWNER_PREFIX}{member}") if member is not None else None


def require_admin(request: Request) -> None:
    """403 for a member's session: /admin and the admin's API are the password's alone."""
    if session_member(request) is not None:
        raise HTTPException(403, _("This page is for the console's admin, not for members."))
