"""The admin's JSON API: members and their usage, for scripts (the password as bearer).

Under /api/, so it takes JSON bodies only (the CSRF rule for the JSON API,
app/web/middleware/csrf.py);
a member's session gets 403 here as on /admin. The edits are app/team/edits.py's, the same
as the page's and the CLI's. A token appears in one answer only: the one that made it.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from pydantic import BaseModel, ConfigDict, StrictInt

from app.team.edits import Limits, MemberEdits
from app.team.members import Member, MemberError, Members, UnknownMember
from app.web.admin import USAGE_DAYS, UsageDays, admin_parts, usage_table
from app.web.deps import services

router = APIRouter(prefix="/api/admin", tags=["admin"])
Limit = StrictInt | None  # the range is app/team/members.py's check_limits, for every way in


class NewMember(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    dailyCredits: Limit = None
    maxRunning: Limit = None


class MemberChange(BaseModel):
    """Only the fields sent change; null in a limit means no limit."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    dailyCredits: Limit = None
    maxRunning: Limit = None


def _shown(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "tokenHint": member.token_hint,
        "createdAt": member.created_at,
        "lastUsedAt": member.last_used_at,
        "dailyCredits": member.daily_credits,
        "maxRunning": member.max_running,
        "active": member.active,
        "revokedAt": member.revoked_at,
    }


def _refused(exc: MemberError) -> HTTPException:
    return HTTPException(404 if isinstance(exc, UnknownMember) else 422, str(exc))


def _members(request: Request) -> Members:
    members, _usage = admin_parts(request)
    return members


@router.get("/members")
async def list_members(request: Request) -> list[dict[str, Any]]:
    """Every member, revoked ones too, with today's spend."""
    members, usage = admin_parts(request)
    return [
        {**_shown(member), "usedToday": await usage.today(member.name)}
        for member in await members.list()
    ]


@router.post("/members", status_code=201)
async def create_member(request: Request, body: Annotated[NewMember, Body()]) -> dict[str, Any]:
    """A member and its token, in this answer only."""
    try:
        member, token = await _members(request).create(
            body.name.strip(), body.dailyCredits, body.maxRunning
        )
    except MemberError as exc:
        raise _refused(exc) from None
    return {**_shown(member), "token": token}


@router.patch("/members/{name}")
async def change_member(
    request: Request, name: str, body: Annotated[MemberChange, Body()]
) -> dict[str, Any]:
    """New limits and/or a new name; what is not sent stays."""
    edits = MemberEdits(_members(request), services(request).task_store)
    sent = body.model_fields_set
    try:
        member = await edits.found(name)
        if sent & {"dailyCredits", "maxRunning"}:
            limits = Limits(
                body.dailyCredits if "dailyCredits" in sent else member.daily_credits,
                body.maxRunning if "maxRunning" in sent else member.max_running,
            )
            member = await edits.set_limits(name, limits)
        if body.name is not None:
            member = await edits.rename(name, body.name.strip())
    except MemberError as exc:
        raise _refused(exc) from None
    return _shown(member)


@router.post("/members/{name}/{action}")
async def member_action(request: Request, name: str, action: str) -> dict[str, Any]:
    """`revoke`, `reactivate`, or `reissue` (the new token in this answer only)."""
    members = _members(request)
    edits = MemberEdits(members, services(request).task_store)
    try:
        if action == "revoke":
            return _shown(await members.revoke(name))
        if action == "reactivate":
            return _shown(await edits.reactivate(name))
        if action == "reissue":
            member, token = await edits.reissue(name)
            return {**_shown(member), "token": token}
    except MemberError as exc:
        raise _refused(exc) from None
    raise HTTPException(404, "the actions are revoke, reactivate and reissue")


@router.get("/usage")
async def usage(request: Request, days: UsageDays = USAGE_DAYS) -> list[dict[str, Any]]:
    """Credits, runs, failures and refused creates per member per day, newest first."""
    members, usage = admin_parts(request)
    rows = await usage_table(usage, members.storage, days)
    return [row.__dict__ for row in rows]
