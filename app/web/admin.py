"""The admin page: member tokens (create, list, revoke) and their usage per day, with a CSV.

For whoever holds CONSOLE_PASSWORD: the access middleware lets only them this far when one is
set. Without a password anyone could open the page and mint tokens that spend the operator's
credits, so then the page refuses and points at `runway-console token` in the shell.
"""

import csv
import io
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response

from app.core.i18n import gettext as _
from app.core.timestamps import DAY_S, day_of
from app.storage.database import Database
from app.team.edits import parse_limit
from app.team.members import Member, MemberError, Members
from app.team.refusals import refusals_by_day
from app.team.usage import Usage
from app.team.usage_chart import UsageRow, draw, usage_rows
from app.web.deps import services
from app.web.render import render, render_page
from app.web.roles import require_admin

router = APIRouter(prefix="/admin", include_in_schema=False)
USAGE_DAYS = 31
CHART_DAYS = 30
MAX_USAGE_DAYS = 3660  # ten years: more than any database here holds
# How many days of usage a request may ask for: 1 to ten years, else a 422 naming `days`.
UsageDays = Annotated[int, Query(ge=1, le=MAX_USAGE_DAYS)]


def admin_parts(request: Request) -> tuple[Members, Usage]:
    """The admin's members and usage; 403 without a password, and for a member's session."""
    require_admin(request)
    state = services(request)
    if state.settings.password is None:
        raise HTTPException(
            403,
            _(
                "The admin page needs CONSOLE_PASSWORD to be set; "
                "without it, use `runway-console token` in a shell."
            ),
        )
    return state.members, state.usage


async def _members_context(members: Members, usage: Usage) -> dict[str, object]:
    listed: list[Member] = await members.list()
    today = {member.name: await usage.today(member.name) for member in listed}
    day = day_of(time.time())
    refusals = await refusals_by_day(members.storage, day)
    refused = {member.name: refusals.get((member.name, day), 0) for member in listed}
    return {
        "members": listed,
        "today": today,
        "refused_today": refused,
        "new_token": None,
        "error": None,
    }


async def members_panel(request: Request, **extra: object) -> Response:
    """The members' panel as htmx swaps it in, after any edit (app/web/admin_members.py)."""
    members, usage = admin_parts(request)
    context = await _members_context(members, usage)
    context.update(extra)
    status = 422 if extra.get("error") else 200
    return render(request, "admin/_members.html", context, status_code=status)


async def usage_table(usage: Usage, storage: Database, days: int) -> list[UsageRow]:
    """Credits, runs, failures and refusals per member per day for the last `days` days (1 to
    MAX_USAGE_DAYS: any number asked is an answer, never a date out of range)."""
    since = _since(days)
    return usage_rows(await usage.days(since), await refusals_by_day(storage, since))


def _since(days: int) -> str:
    return day_of(time.time() - (days - 1) * DAY_S)


@router.get("")
async def admin_page(request: Request) -> Response:
    members, usage = admin_parts(request)
    context = await _members_context(members, usage)
    rows = await usage_table(usage, members.storage, USAGE_DAYS)
    context["days"] = rows
    context["usage_days"] = USAGE_DAYS
    context["chart"] = draw(rows, datetime.now(UTC).date(), CHART_DAYS)
    context["chart_days"] = CHART_DAYS
    return render_page(request, "admin/page.html", context)


@router.post("/members")
async def create_member(
    request: Request,
    name: Annotated[str, Form()] = "",
    daily_credits: Annotated[str, Form()] = "",
    max_running: Annotated[str, Form()] = "",
) -> Response:
    """Make a token; the answer shows it this once (it is kept only as a hash)."""
    members, _usage = admin_parts(request)
    try:
        budget = parse_limit(daily_credits, _("the daily credit budget"))
        running = parse_limit(max_running, _("the limit of tasks at once"))
        _member, token = await members.create(name.strip(), budget, running)
    except MemberError as exc:
        return await members_panel(request, error=str(exc), new_name=name.strip())
    return await members_panel(request, new_token=token, new_name=name.strip())


@router.post("/members/{name}/revoke")
async def revoke_member(request: Request, name: str) -> Response:
    members, _usage = admin_parts(request)
    try:
        await members.revoke(name)
    except MemberError as exc:
        raise HTTPException(404, str(exc)) from None
    return await members_panel(request)


@router.get("/usage.csv")
async def usage_csv(request: Request, days: UsageDays = 366) -> Response:
    """Credits, tasks and failures per member per day, for a spreadsheet."""
    _members, usage = admin_parts(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["day", "member", "credits", "tasks", "failures", "refused"])
    for row in await usage_table(usage, services(request).database, days):
        writer.writerow([row.day, row.member, row.credits, row.tasks, row.failures, row.refused])
    headers = {"Content-Disposition": 'attachment; filename="runway-console-usage.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
