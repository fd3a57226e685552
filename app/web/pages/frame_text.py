"""A frame slot's "Make a frame from text": start the image task, wait for it, take its picture."""

from functools import partial

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.catalog.failures import failure_hint
from app.core.i18n import gettext as _
from app.frames.from_text import ENDPOINT, FrameRequest, frame_of
from app.frames.images import BadImage
from app.storage.task_record import TaskRecord
from app.web.deps import CallerDep, FrameOwnersDep, FramesDep, MediaDep, ServiceDep
from app.web.forms import FrameSlot
from app.web.refusals import REFUSALS, refusal
from app.web.render import render

router = APIRouter()
POSITIONS = ("first", "last")
SLOT = "console/_frame_slot.html"
MAKING = "console/_frame_making.html"


def _position(position: str) -> str:
    if position not in POSITIONS:
        raise HTTPException(404)
    return position


@router.get("/form/from-text/{position}")
async def from_text_fields(request: Request, position: str) -> Response:
    """The disclosure again, its ratios those of the model just chosen."""
    wish = FrameRequest.from_form(request.query_params, _position(position))
    return render(request, "console/_frame_from_text.html", {"from_text": wish, "pos": position})


@router.post("/frames/from-text/{position}")
async def make_frame(
    request: Request, position: str, service: ServiceDep, caller: CallerDep
) -> Response:
    """Start the text_to_image task at the form's address and key; the slot then waits."""
    form = await request.form()
    wish = FrameRequest.from_form(form, _position(position))
    address = str(form.get("baseUrl") or "").strip() or None
    slot = FrameSlot(position)
    try:
        record = await service.submit(wish.body(), address, caller, endpoint=ENDPOINT.path)
    except REFUSALS as exc:
        context = {"slot": slot, "from_text": wish}
        return refusal(request, exc, panel=SLOT, context=context)
    headers = {"HX-Trigger": "taskChanged"}  # the history lists the image task at once
    return render(request, MAKING, {"task": record, "pos": position}, headers=headers)


@router.get("/frames/from-text/{position}/{task_id}")
async def frame_progress(
    request: Request,
    position: str,
    task_id: str,
    service: ServiceDep,
    caller: CallerDep,
    frames: FramesDep,
    media: MediaDep,
    owners: FrameOwnersDep,
) -> Response:
    """The waiting slot, polled: still making, the frame once its image is saved, or why not."""
    record = await service.get(task_id, caller)
    if record is None:
        raise HTTPException(404)
    slot = FrameSlot(_position(position))
    problem = _problem(record)
    if problem is None and record.status == "SUCCEEDED" and record.video_saved:
        try:  # the caller's frame now, as an upload would be
            put = partial(frame_of, record, media, frames)
            slot.frame = await owners.stored(put, caller.owner)
        except BadImage as exc:
            problem = str(exc)
    if problem is None and slot.frame is None:
        return render(request, MAKING, {"task": record, "pos": position})
    wish = FrameRequest(
        position, record.prompt_text, record.model, record.ratio, open=problem is not None
    )
    context = {"slot": slot, "from_text": wish, "error": problem}
    return render(request, SLOT, context)


def _problem(record: TaskRecord) -> str | None:
    """Why this task gives no frame, in the slot's words; None while it still may."""
    if record.status == "FAILED":
        code = f" ({record.failure_code})" if record.failure_code else ""
        return (
            f"{record.failure or _('The task failed.')}{code} — {failure_hint(record.failure_code)}"
        )
    if record.status == "CANCELLED":
        return _("This task was cancelled.")
    if record.video_error and record.video_attempts >= 3:
        return _("Could not save a copy: {error}", error=record.video_error)
    return None
