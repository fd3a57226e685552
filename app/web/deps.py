"""Dependencies shared by the routes: the task service, its parts a route uses openly, and who
is calling. Each is built once in `create_app` and read from the app's state.

Async on purpose: FastAPI runs a plain `def` dependency on a worker thread, a hop per request
for a lookup that takes microseconds.
"""

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from app.core.i18n import gettext as _
from app.core.keys import Caller
from app.core.settings import Settings
from app.frames.owners import FrameOwners
from app.frames.refs import FrameStore
from app.media.copies import MediaStore
from app.runway.upstreams import UpstreamAccess
from app.tasks.service import TaskService
from app.team.members import looks_like_token
from app.web.roles import member_caller


async def get_service(request: Request) -> TaskService:
    return request.app.state.tasks


async def get_upstreams(request: Request) -> UpstreamAccess:
    return request.app.state.upstreams


async def get_frames(request: Request) -> FrameStore:
    return request.app.state.frames


async def get_frame_owners(request: Request) -> FrameOwners:
    return request.app.state.frame_owners


async def get_media(request: Request) -> MediaStore:
    return request.app.state.media


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_caller(
    request: Request,
    upstreams: Annotated[UpstreamAccess, Depends(get_upstreams)],
    x_runway_key: Annotated[str | None, Header(include_in_schema=True)] = None,
) -> Caller:
    """The personal key travels in `X-Runway-Key` with each request and is never kept.

    A member token in that field is the member (the operator's upstream, their name and
    budget); it is never taken for a personal key, so never sent upstream.
    """
    return await caller_for(request, upstreams, x_runway_key)


async def caller_for(request: Request, upstreams: UpstreamAccess, key: str | None) -> Caller:
    """Who a key in the key field is: a member by their token, else a personal key (or none).
    A member's session is the member whatever the field holds (app/web/roles.py)."""
    if (member := member_caller(request)) is not None:
        return member
    key = (key or "").strip()
    if looks_like_token(key):
        member = await request.app.state.members.find(key)
        if member is None:
            raise HTTPException(401, _("unknown or revoked member token"))
        return Caller(None, member.owner)
    return upstreams.caller(key)


async def second_caller(
    request: Request, upstreams: UpstreamAccess, caller: Caller, key: str | None
) -> Caller:
    """Who the second address of a comparison is sent as: its own key, or no key at all;
    never the first one (relay A's key is no business of relay B). Without a key of its own
    a member or keyless caller stays who they are (their budget goes with them); a personal
    key's caller becomes the keyless one, whose task the page then reads with no key."""
    if (key or "").strip():
        return await caller_for(request, upstreams, key)
    return caller if caller.key is None else upstreams.caller(None)


ServiceDep = Annotated[TaskService, Depends(get_service)]
UpstreamsDep = Annotated[UpstreamAccess, Depends(get_upstreams)]
FramesDep = Annotated[FrameStore, Depends(get_frames)]
FrameOwnersDep = Annotated[FrameOwners, Depends(get_frame_owners)]
MediaDep = Annotated[MediaStore, Depends(get_media)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CallerDep = Annotated[Caller, Depends(get_caller)]
