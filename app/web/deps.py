"""Dependencies shared by the routes: the task service, its parts a route uses openly, and who
is calling. Each is built once in `create_app` into one `Services` (app/web/container.py), and
this module alone reads it off the app: `services` for code that is no FastAPI route (the
gateway's Starlette routes, page helpers), the `…Dep` annotations for routes.

Async on purpose: FastAPI runs a plain `def` dependency on a worker thread, a hop per request
for a lookup that takes microseconds.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from app.callbacks.hooks import HookStore
from app.core.i18n import gettext as _
from app.core.keys import Caller
from app.core.settings import Settings
from app.frames.owners import FrameOwners
from app.frames.refs import FrameStore
from app.frames.uploads import UploadSlots
from app.media.copies import MediaStore
from app.relays.service import RelayCheck
from app.runway.upstreams import UpstreamAccess
from app.tasks.hook_receiver import HookReceiver
from app.tasks.service import TaskService
from app.team.account import UpstreamAccounts
from app.team.members import looks_like_token
from app.web.container import Services
from app.web.public_url import base_of
from app.web.roles import member_caller


def install_services(app: Starlette, services: Services) -> None:
    """Put the container on the app, once (create_app, the composition root, calls this)."""
    app.state.services = services


def services(source: HTTPConnection | Starlette) -> Services:
    """The app's one container, from a request (or websocket) or the app itself."""
    app = source.app if isinstance(source, HTTPConnection) else source
    return app.state.services


def public_base(request: HTTPConnection) -> str:
    """Where this client reached the console (app/web/public_url.py): answers' URLs are
    absolute on it."""
    return base_of(request, services(request).settings.public_url)


async def public_base_dependency(request: Request) -> str:
    """`public_base` for a route's `Depends`. Async although it awaits nothing: FastAPI runs a
    plain `def` dependency on a worker thread, a hop per request."""
    return public_base(request)


async def get_services(request: Request) -> Services:
    return services(request)


async def get_service(request: Request) -> TaskService:
    return services(request).running.tasks


async def get_hooks(request: Request) -> HookStore:
    return services(request).hooks


async def get_receiver(request: Request) -> HookReceiver:
    return services(request).running.receiver


async def get_relay_check(request: Request) -> RelayCheck:
    return services(request).running.relay_check


async def get_accounts(request: Request) -> UpstreamAccounts:
    return services(request).running.accounts


async def get_upload_slots(request: Request) -> UploadSlots:
    return services(request).running.upload_slots


async def get_upstreams(request: Request) -> UpstreamAccess:
    return services(request).upstreams


async def get_frames(request: Request) -> FrameStore:
    return services(request).frames


async def get_frame_owners(request: Request) -> FrameOwners:
    return services(request).frame_owners


async def get_media(request: Request) -> MediaStore:
    return services(request).media


async def get_settings(request: Request) -> Settings:
    return services(request).settings


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


@dataclass(frozen=True)
class TaskCall:
    """What the JSON API's task routes work with, as one dependency: FastAPI's own work per
    dependency solved (~0.04 ms) made the create's and the read's four, with theirs, a
    tenth of what the console added to each (bench/README.md, issue 28)."""

    service: TaskService
    hooks: HookStore
    caller: Caller
    base: str  # where this client reached the console: answers' URLs are absolute on it


async def get_task_call(request: Request) -> TaskCall:
    """The key is read off the request here, not declared as a Header parameter, whose
    solving (FastAPI inspects the annotation on every request) cost as much as the rest;
    the routes document the header with `KEY_HEADER_DOC`."""
    found = services(request)
    caller = await caller_for(request, found.upstreams, request.headers.get("x-runway-key"))
    return TaskCall(found.running.tasks, found.hooks, caller, public_base(request))


# The X-Runway-Key header in /docs, for routes taking TaskCallDep.
KEY_HEADER_DOC = {
    "parameters": [
        {"name": "x-runway-key", "in": "header", "required": False, "schema": {"type": "string"}}
    ]
}


async def caller_for(request: Request, upstreams: UpstreamAccess, key: str | None) -> Caller:
    """Who a key in the key field is: a member by their token, else a personal key (or none).
    A member's session is the member whatever the field holds (app/web/roles.py)."""
    if (member := member_caller(request)) is not None:
        return member
    key = (key or "").strip()
    if looks_like_token(key):
        member = await services(request).members.find(key)
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


ServicesDep = Annotated[Services, Depends(get_services)]
ServiceDep = Annotated[TaskService, Depends(get_service)]
HooksDep = Annotated[HookStore, Depends(get_hooks)]
ReceiverDep = Annotated[HookReceiver, Depends(get_receiver)]
RelayCheckDep = Annotated[RelayCheck, Depends(get_relay_check)]
AccountsDep = Annotated[UpstreamAccounts, Depends(get_accounts)]
UploadSlotsDep = Annotated[UploadSlots, Depends(get_upload_slots)]
UpstreamsDep = Annotated[UpstreamAccess, Depends(get_upstreams)]
FramesDep = Annotated[FrameStore, Depends(get_frames)]
FrameOwnersDep = Annotated[FrameOwners, Depends(get_frame_owners)]
MediaDep = Annotated[MediaStore, Depends(get_media)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CallerDep = Annotated[Caller, Depends(get_caller)]
TaskCallDep = Annotated[TaskCall, Depends(get_task_call)]
