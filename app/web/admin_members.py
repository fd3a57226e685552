"""The admin page's edits of a member: limits and name, a new token, re-activation.

Each answers with the members' panel, as create and revoke do (app/web/admin.py); the rules
are app/team/edits.py's, shared with the CLI and the JSON API.
"""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from app.core.i18n import gettext as _
from app.team.edits import Limits, MemberEdits, parse_limit
from app.team.members import MemberError
from app.web.admin import admin_parts, members_panel
from app.web.deps import services

router = APIRouter(prefix="/admin/members", include_in_schema=False)


def _edits(request: Request) -> MemberEdits:
    members, _usage = admin_parts(request)
    return MemberEdits(members, services(request).task_store)


@router.post("/{name}/edit")
async def edit_member(
    request: Request,
    name: str,
    new_name: Annotated[str, Form()] = "",
    daily_credits: Annotated[str, Form()] = "",
    max_running: Annotated[str, Form()] = "",
) -> Response:
    """New limits (from the next create on) and, when the name changed, the new name."""
    edits = _edits(request)
    try:
        budget = parse_limit(daily_credits, _("the daily credit budget"))
        running = parse_limit(max_running, _("the limit of tasks at once"))
        await edits.set_limits(name, Limits(budget, running))
        if new_name.strip() and new_name.strip() != name:
            await edits.rename(name, new_name.strip())
    except MemberError as exc:
        return await members_panel(request, error=str(exc))
    return await members_panel(request)


@router.post("/{name}/reissue")
async def reissue_member(request: Request, name: str) -> Response:
    """A new token, shown this once; the old one and its sessions stop now."""
    try:
        _member, token = await _edits(request).reissue(name)
    except MemberError as exc:
        raise HTTPException(404, str(exc)) from None
    return await members_panel(request, new_token=token, new_name=name)


@router.post("/{name}/reactivate")
async def reactivate_member(request: Request, name: str) -> Response:
    try:
        await _edits(request).reactivate(name)
    except MemberError as exc:
        raise HTTPException(404, str(exc)) from None
    return await members_panel(request)
