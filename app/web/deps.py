"""Dependencies shared by the routes: the task service, its parts a route uses openly, and who
is calling. Each is built once in `create_app` and read from the app's state.

Async on purpose: FastAPI runs a plain `def` dependency on a worker thread, a hop per request
for a lookup that takes microseconds.
"""

from typing import Annotated

from fastapi import Depends, Header, Request

from app.frames import FrameStore
from app.keys import Caller
from app.media import MediaStore
from app.settings import Settings
from app.tasks import TaskService
from app.upstreams import UpstreamAccess


async def get_service(request: Request) -> TaskService:
    return request.app.state.tasks


async def get_upstreams(request: Request) -> UpstreamAccess:
    return request.app.state.upstreams


async def get_frames(request: Request) -> FrameStore:
    return request.app.state.frames


async def get_media(request: Request) -> MediaStore:
    return request.app.state.media


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_caller(
    upstreams: Annotated[UpstreamAccess, Depends(get_upstreams)],
    x_runway_key: Annotated[str | None, Header(include_in_schema=True)] = None,
) -> Caller:
    """The personal key travels in `X-Runway-Key` with each request and is never kept."""
    return upstreams.caller(x_runway_key)


ServiceDep = Annotated[TaskService, Depends(get_service)]
UpstreamsDep = Annotated[UpstreamAccess, Depends(get_upstreams)]
FramesDep = Annotated[FrameStore, Depends(get_frames)]
MediaDep = Annotated[MediaStore, Depends(get_media)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CallerDep = Annotated[Caller, Depends(get_caller)]
