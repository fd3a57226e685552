"""The admin page: member tokens (create, list, revoke) and their usage per day, with a CSV.

For whoever holds CONSOLE_PASSWORD: the access middleware lets only them this far when one is
set. Without a password anyone could open the page and mint tokens that spend the operator's
credits, so then the page refuses and points at `runway-console token` in the shell.
"""

import csv
import io
import time
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response

from app.core.i18n import gettext as _
from app.core.timestamps import DAY_S, day_of
from app.team.members import Member, MemberError, Members
from app.team.usage import Usage
from app.web.render import render, render_page

router = APIRouter(prefix="/admin", include_in_schema=False)
USAGE_DAYS = 31
MAX_CSV_DAYS = 3660  # ten years; far more is a date before year 1


def _require_admin(request: Request) -> tuple[Members, Usage]:
    if request.app.state.settings.password is None:
        raise HTTPException(
            403,
            _(
                "The admin page needs CONSOLE_PASSWORD to be set; "
                "without it, use `runway-console token` in a shell."
            ),
        )
    return request.app.state.members, request.app.state.usage


async def _members_context(members: Members, usage: Usage) -> dict[str, object]:
    listed: list[Member] = await members.list()
    today = {member.name: await usage.today(member.name) for member in listed}
    return {"members": listed, "today": today, "new_token": None, "error": None}


def _since(days: int) -> str:
    return day_of(time.time() - (days - 1) * DAY_S)


@router.get("")
async def admin_page(request: Request) -> Response:
    members, usage = _require_admin(request)
    context = await _members_context(members, usage)
    context["days"] = await usage.days(_since(USAGE_DAYS))
    context["usage_days"] = USAGE_DAYS
    return render_page(request, "admin/page.html", context)


@router.post("/members")
async def create_member(
    request: Request,
    name: Annotated[str, Form()] = "",
    daily_credits: Annotated[str, Form()] = "",
) -> Response:
    """Make a token; the answer shows it this once (it is kept only as a hash)."""
    members, usage = _require_admin(request)
    token, error = None, None
    try:
        budget = int(daily_credits) if daily_credits.strip() else None
        _member, token = await members.create(name.strip(), budget)
    except ValueError as exc:  # MemberError is one; so is a budget that is not a number
        error = str(exc) if isinstance(exc, MemberError) else _("the budget must be a number")
    context = await _members_context(members, usage)
    context.update(new_token=token, new_name=name.strip(), error=error)
    return render(request, "admin/_members.html", context, status_code=422 if error else 200)


@router.post("/members/{name}/revoke")
async def revoke_member(request: Request, name: str) -> Response:
    members, usage = _require_admin(request)
    try:
        await members.revoke(name)
    except MemberError as exc:
        raise HTTPException(404, str(exc)) from None
    return render(request, "admin/_members.html", await _members_context(members, usage))


@router.get("/usage.csv")
async def usage_csv(
    request: Request, days: Annotated[int, Query(le=MAX_CSV_DAYS)] = 366
) -> Response:
    """Credits, tasks and failures per member per day, for a spreadsheet."""
    _members, usage = _require_admin(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["day", "member", "credits", "tasks", "failures"])
    for row in await usage.days(_since(max(1, days))):
        writer.writerow([row.day, row.member, row.credits, row.tasks, row.failures])
    headers = {"Content-Disposition": 'attachment; filename="runway-console-usage.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
