"""The demo page, `/demo`: samples, one Animate button, a player, and share links.

Routes read the form, call `app.demo.Demo`, and render a partial that is also a part of the
page. Each browser is a demo session (a cookie), and sees only its own results.
"""

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from app.core.i18n import gettext as _
from app.core.settings import Settings
from app.demo.service import DEFAULT_PROMPT, SCENARIO_LABELS, Demo, DemoRefusal, DemoRequest
from app.demo.sessions import new_session_id
from app.exports.share_links import Share
from app.frames.images import BadImage
from app.frames.owners import ThumbLinks
from app.frames.samples import SAMPLES
from app.storage.task_record import TaskRecord
from app.web import shared
from app.web.demo_deps import DemoDep, Session, SessionDep, brand
from app.web.demo_view import share_context, stage_context, strip_items
from app.web.middleware.access import client_key
from app.web.pages.tasks import index as console_index
from app.web.render import render, render_page

router = APIRouter(include_in_schema=False)


@router.get("/demo")
async def demo_page(request: Request, demo: DemoDep, session: SessionDep) -> Response:
    """The page a sales person puts on a projector."""
    context = {
        "brand": brand(demo),
        "samples": SAMPLES,
        "scenarios": SCENARIO_LABELS if demo.simulated else (),
        "strip": strip_items(await demo.strip(session.owner), ThumbLinks(demo.secret)),
        "once": new_session_id(),
        "phase": "idle",
        "notice": await demo.done_for_today(client_key(request)),
        "default_prompt": DEFAULT_PROMPT,
    }
    return session.keep(request, render_page(request, "demo/page.html", context))


@router.post("/demo/frame")
async def upload_frame(demo: DemoDep, session: SessionDep, file: UploadFile) -> JSONResponse:
    """The customer's own image (dropped, pasted or picked), checked and stored."""
    if (file.size or 0) > demo.settings.max_upload_bytes:
        return JSONResponse({"error": _("This image is too large. Please try a smaller one.")})
    try:
        frame = await demo.store_upload(file.file, session.owner)
    except BadImage as exc:
        return JSONResponse({"error": str(exc)})
    return JSONResponse({"frame": frame.sha256, "width": frame.width, "height": frame.height})


@router.get("/demo/frames/{sha}")
async def frame_image(demo: DemoDep, session: SessionDep, sha: str) -> Response:
    """A stored frame at full size, for the progress view and before/after: this session's
    own frames alone (404 for any other, as for one not stored)."""
    mine = await demo.owners.owns(sha, session.owner)
    frame = await asyncio.to_thread(demo.frames.get, sha) if mine else None
    if frame is None:
        raise HTTPException(404)
    data = await asyncio.to_thread(demo.frames.read, frame)
    headers = {"Cache-Control": "private, max-age=31536000, immutable"}
    return Response(data, media_type=frame.media_type, headers=headers)


@router.post("/demo/animate")
async def animate(
    request: Request,
    demo: DemoDep,
    session: SessionDep,
    sample: Annotated[str, Form()] = "",
    frame: Annotated[str, Form()] = "",
    prompt: Annotated[str, Form()] = "",
    scenario: Annotated[str, Form()] = "",
    once: Annotated[str, Form()] = "",
    make: Annotated[str, Form()] = "",
) -> Response:
    """Animate (or Make a product ad, `make=product_ad`): start one video and answer with the
    progress view (or a plain refusal)."""
    ask = DemoRequest(sample, frame, prompt, scenario, once, make)
    try:
        record = await demo.animate(session.owner, ask, client_key(request))
    except DemoRefusal as exc:
        context = {"refusal": str(exc), "once": new_session_id()}
        retarget = {"HX-Retarget": "#notice", "HX-Reswap": "outerHTML"}
        notice = render(request, "demo/_demo_notice.html", context, headers=retarget)
        return session.keep(request, notice)
    response = await _stage(request, demo, record, session, {"HX-Trigger": "demoChanged"})
    return session.keep(request, response)


async def _stage(
    request: Request,
    demo: Demo,
    record: TaskRecord,
    session: Session,
    headers: dict[str, str] | None = None,
    seen: str = "",
) -> Response:
    context = await stage_context(request, demo, record, session.owner, time.time())
    context["oob_once"] = new_session_id()
    if seen and seen != context["phase"]:
        headers = {**(headers or {}), "HX-Trigger": "demoChanged"}
    return render(request, "demo/_demo_stage.html", context, headers=headers)


@router.get("/demo/results/{task_id}")
async def read_result(
    request: Request, task_id: str, demo: DemoDep, session: SessionDep, seen: str = ""
) -> Response:
    """One result in the stage: the progress view while it works, then the player.

    A poll says which phase it last showed; when that changed, the strip hears of it."""
    record = await demo.result(session.owner, task_id)
    if record is None:
        raise HTTPException(404)
    return await _stage(request, demo, record, session, seen=seen)


@router.get("/demo/strip")
async def strip(request: Request, demo: DemoDep, session: SessionDep) -> Response:
    context = {"strip": strip_items(await demo.strip(session.owner), ThumbLinks(demo.secret))}
    return render(request, "demo/_demo_strip.html", context)


@router.post("/demo/clear")
async def clear(request: Request, demo: DemoDep, session: SessionDep) -> Response:
    """Clear: the strip starts empty (shared results keep their links)."""
    await demo.clear(session.owner)
    return render(request, "demo/_demo_strip.html", {"strip": []})


@router.post("/demo/results/{task_id}/share")
async def share(request: Request, task_id: str, demo: DemoDep, session: SessionDep) -> Response:
    """A link the customer opens without a login, until it expires or is revoked."""
    record = await demo.result(session.owner, task_id)
    if record is None or record.status != "SUCCEEDED":
        raise HTTPException(404)
    link = await demo.shares.open_for(task_id, session.owner)
    link = link or await demo.shares.create(task_id, session.owner)
    return _share_box(request, demo, record, link)


@router.post("/demo/results/{task_id}/unshare")
async def unshare(request: Request, task_id: str, demo: DemoDep, session: SessionDep) -> Response:
    """Stop sharing: the link shows nothing from now on."""
    record = await demo.result(session.owner, task_id)
    if record is None:
        raise HTTPException(404)
    await demo.shares.revoke(task_id, session.owner)
    return _share_box(request, demo, record, None, revoked=True)


def _share_box(
    request: Request, demo: Demo, record: TaskRecord, link: Share | None, revoked: bool = False
) -> Response:
    context = share_context(request, demo, record, link, time.time())
    context["revoked"] = revoked
    return render(request, "demo/_demo_share.html", context)


def install(app: FastAPI, settings: Settings) -> None:
    """The demo's routes and the shared pages. With CONSOLE_DEMO_HOME, `/` opens the demo and
    the console itself moves to `/console`; call this before the console's pages are added."""
    if settings.demo_home:
        app.add_api_route("/", demo_page, include_in_schema=False)
        app.add_api_route("/console", console_index, include_in_schema=False)
    app.include_router(router)
    app.include_router(shared.router)
