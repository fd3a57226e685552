"""Shared results, `/shared/<link>`: open without a login, until the link expires or is revoked.

The page shows the video, the first frame and the prompt, and nothing else: no transcript, no
key, no ids. An expired, revoked or unknown link answers 410 or 404 with a plain page that shows
nothing of the result. The access middleware lets `/shared/` through; the link is the only
credential, checked here on every request, the video's and the frame's included.
"""

import asyncio
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.core.i18n import gettext as _
from app.demo.service import Demo, clean_prompt
from app.exports.share_links import LinkState
from app.storage.task_record import TaskRecord
from app.web.byte_ranges import ranged_response
from app.web.demo_deps import DemoDep, brand
from app.web.demo_view import first_sha
from app.web.render import render

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


class Gone(Exception):
    """The link opens nothing (any more); `state` says why."""

    def __init__(self, state: LinkState) -> None:
        self.state = state


async def shared_record(demo: DemoDep, token: str) -> TaskRecord:
    share = await demo.shares.resolve(token)
    if share is None:
        raise Gone(LinkState.UNKNOWN)
    state = share.state(time.time())
    if state is not LinkState.OPEN:
        raise Gone(state)
    record = await demo.storage.get(share.task_id, share.owner)
    if record is None or not record.video_saved:
        raise Gone(LinkState.UNKNOWN)
    return record


def gone_page(request: Request, demo: Demo, state: LinkState) -> Response:
    message = {
        LinkState.EXPIRED: _("This link has expired."),
        LinkState.REVOKED: _("This link is no longer shared."),
    }.get(state, _("This link does not open anything."))
    status = 404 if state is LinkState.UNKNOWN else 410
    context = {"brand": brand(demo), "gone": message}
    return render(request, "shared/page.html", context, status_code=status, headers=NO_STORE)


@router.get("/shared/{token}")
async def shared_page(request: Request, demo: DemoDep, token: str) -> Response:
    try:
        record = await shared_record(demo, token)
    except Gone as gone:
        return gone_page(request, demo, gone.state)
    context = {
        "brand": brand(demo),
        "gone": None,
        "token": token,
        "prompt": clean_prompt(record.prompt_text),
        "simulated": record.base_url == "simulator",
    }
    return render(request, "shared/page.html", context, headers=NO_STORE)


async def _file_or_404(request: Request, demo: Demo, token: str, part: str) -> Response:
    try:
        record = await shared_record(demo, token)
    except Gone:
        return Response(status_code=404, headers=NO_STORE)
    if part == "video":
        size = await asyncio.to_thread(demo.media.size, record.id)
        if size is None:
            return Response(status_code=404, headers=NO_STORE)
        reader = demo.media.reader(record.id)
        return ranged_response(reader, size, request.headers.get("range"), "video/mp4", NO_STORE)
    sha = first_sha(record)
    frame = await asyncio.to_thread(demo.frames.get, sha) if sha else None
    if frame is None:
        return Response(status_code=404, headers=NO_STORE)
    data = await asyncio.to_thread(demo.frames.read, frame)
    return Response(data, media_type=frame.media_type, headers=NO_STORE)


@router.get("/shared/{token}/video.mp4")
async def shared_video(request: Request, demo: DemoDep, token: str) -> Response:
    return await _file_or_404(request, demo, token, "video")


@router.get("/shared/{token}/first-frame")
async def shared_frame(request: Request, demo: DemoDep, token: str) -> Response:
    return await _file_or_404(request, demo, token, "frame")
