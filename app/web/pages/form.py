"""The form's live parts: model fields, the address preview, frame slots and reuse."""

import asyncio
from functools import partial
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response

from app.catalog.validation import check_https_url
from app.core.i18n import gettext as _
from app.frames.images import BadImage, over_limit_message, prepare_image
from app.frames.samples import find_sample, sample_file
from app.runway.endpoints import BadAddress, resolve_upstream
from app.web.deps import (
    CallerDep,
    FrameOwnersDep,
    FramesDep,
    MediaDep,
    ServiceDep,
    SettingsDep,
    UploadSlotsDep,
    UpstreamsDep,
    services,
)
from app.web.forms import (
    FrameSlot,
    form_mode,
    keep_owned_frames,
    state_from_form,
)
from app.web.handoff import copy_into
from app.web.render import render
from app.web.reuse import input_state, own_image_frame, reuse_state

router = APIRouter()
POSITIONS = ("first", "last")


@router.get("/form/model-fields")
async def model_fields(
    request: Request, frames: FramesDep, owners: FrameOwnersDep, caller: CallerDep
) -> Response:
    """Re-render the fields that depend on the model, keeping what still fits."""
    state = await asyncio.to_thread(state_from_form, request.query_params, frames)
    await keep_owned_frames(state, owners, caller.owner)
    state.fit_to_model()
    return render(request, "console/_model_fields.html", {"form": state})


@router.get("/form/mode")
async def switch_mode(
    request: Request,
    frames: FramesDep,
    owners: FrameOwnersDep,
    caller: CallerDep,
    upstreams: UpstreamsDep,
) -> Response:
    """The form in another mode (image or text to video), keeping what still fits, and the
    address preview naming the endpoint it now calls."""
    state = await asyncio.to_thread(state_from_form, request.query_params, frames)
    await keep_owned_frames(state, owners, caller.owner)
    state.fit_to_model()
    context = {"form": state, "oob_preview": True, "endpoint_path": state.endpoint}
    context |= _preview(upstreams, state.base_url)  # the address field is outside the form
    # The model changed with the mode: the panels that follow the model (account) must hear it.
    headers = {"HX-Trigger-After-Settle": "modelChanged"}  # after the new #model is in
    return render(request, "console/_form_mode.html", context, headers=headers)


def _preview(upstreams: UpstreamsDep, address: str) -> dict[str, object]:
    context: dict[str, object] = {"error": None, "upstream": None}
    try:
        upstream = resolve_upstream(address or upstreams.default_address)
        context["upstream"] = upstream
        context["error"] = upstreams.refusal(upstream)
    except BadAddress as exc:
        context["error"] = str(exc)
    return context


@router.get("/form/url-preview")
async def url_preview(
    request: Request, upstreams: UpstreamsDep, baseUrl: str = "", endpoint: str = ""
) -> Response:
    """The exact URLs a task will call, live as the address is typed (no DNS lookups here)."""
    context = {"endpoint_path": form_mode(endpoint), **_preview(upstreams, baseUrl)}
    return render(request, "console/_url_preview.html", context)


@router.get("/form/slot/{position}")
async def empty_slot(request: Request, position: str) -> Response:
    if position not in POSITIONS:
        raise HTTPException(404)
    return render(request, "console/_frame_slot.html", {"slot": FrameSlot(position)})


@router.post("/frames")
async def upload_frame(
    request: Request,
    frames: FramesDep,
    owners: FrameOwnersDep,
    caller: CallerDep,
    settings: SettingsDep,
    file: UploadFile,
    position: Annotated[str, Query(pattern="^(first|last)$")] = "first",
) -> Response:
    """Check an uploaded image and store it; answer with the filled frame slot."""
    slot = FrameSlot(position)
    if (file.size or 0) > settings.max_upload_bytes:
        slot.error = over_limit_message(settings.max_upload_mb)
    else:
        try:
            # The spooled file itself: its bytes are not all held in memory beside the pixels.
            prepared = await asyncio.to_thread(prepare_image, file.file)
            slot.frame = await owners.stored(partial(frames.put, prepared), caller.owner)
        except BadImage as exc:
            slot.error = str(exc)
    return render(request, "console/_frame_slot.html", {"slot": slot})


@router.post("/frames/sample")
async def frame_from_sample(
    request: Request,
    frames: FramesDep,
    owners: FrameOwnersDep,
    caller: CallerDep,
    slug: str,
    position: Annotated[str, Query(pattern="^(first|last)$")] = "first",
) -> Response:
    """One of the project's sample pictures, stored like an upload: a first try needs none."""
    sample = find_sample(slug)
    if sample is None:
        raise HTTPException(404)
    with sample_file(sample, "first").open("rb") as file:
        prepared = await asyncio.to_thread(prepare_image, file)
    slot = FrameSlot(
        position, frame=await owners.stored(partial(frames.put, prepared), caller.owner)
    )
    return render(request, "console/_frame_slot.html", {"slot": slot})


@router.post("/frames/url")
async def frame_from_url(request: Request, position: str = "first") -> Response:
    """Take an https image URL as it is: passed upstream untouched, never fetched here."""
    position = position if position in POSITIONS else "first"
    url = str((await request.form()).get(f"{position}_url") or "").strip()
    slot = FrameSlot(position, url=url)
    slot.error = (check_https_url(url) or "") if url else _("paste an https:// image URL")
    return render(request, "console/_frame_slot.html", {"slot": slot})


@router.get("/frames/{sha}/thumb")
async def frame_thumbnail(
    request: Request,
    sha: str,
    frames: FramesDep,
    owners: FrameOwnersDep,
    caller: CallerDep,
    t: str = "",
) -> Response:
    """A frame's thumbnail for its owners alone: the signed URL their pages are given (an
    `<img>` sends no key), or a request with an owner's key. Anyone else gets 404, as for a
    frame that is not stored."""
    if not services(request).thumbs.fits(sha, t) and not await owners.owns(sha, caller.owner):
        raise HTTPException(404)
    thumbnail = await asyncio.to_thread(frames.thumbnail, sha)
    if thumbnail is None:
        raise HTTPException(404)
    return Response(
        thumbnail,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )


@router.get("/form/reuse/{task_id}")
async def reuse_form(
    request: Request,
    task_id: str,
    service: ServiceDep,
    frames: FramesDep,
    media: MediaDep,
    owners: FrameOwnersDep,
    caller: CallerDep,
    new_seed: bool = False,
    model: str = "",
) -> Response:
    """The form filled from a past task, as fits its kind (app/web/reuse.py), and its address
    out of band; 404 for a task that has nothing to reuse. `model` is the form's current one,
    which an image put in as the first frame keeps."""
    record = await service.get(task_id, caller, refresh=False)
    if record is None:
        raise HTTPException(404)
    async with owners.storing():  # an image task's picture may be stored here, then claimed
        state = await asyncio.to_thread(reuse_state, record, frames, media, new_seed, model)
        if state is None:
            raise HTTPException(404)
        await own_image_frame(record, state, owners, caller.owner)
    context = {
        "form": state,
        "oob": True,
        "upstream": resolve_upstream(state.base_url),
        "error": None,
    }
    return render(request, "console/_form_reuse.html", context)


@router.get("/form/use/{task_id}")
async def use_as_input(
    request: Request,
    task_id: str,
    endpoint: str,
    service: ServiceDep,
    frames: FramesDep,
    media: MediaDep,
    owners: FrameOwnersDep,
    caller: CallerDep,
    uploads: UploadSlotsDep,
    model: str = "",
) -> Response:
    """The form in `endpoint`'s mode with a succeeded task's output as its input (app/web/
    reuse.py input_modes), its saved copy where its link may have expired (app/web/handoff.py);
    404 when that mode takes none of its kind."""
    record = await service.get(task_id, caller, refresh=False)
    if record is None:
        raise HTTPException(404)
    async with owners.storing():  # an image going in as a first frame is stored, then claimed
        state = await asyncio.to_thread(input_state, record, endpoint, frames, media, model)
        if state is None:
            raise HTTPException(404)
        await own_image_frame(record, state, owners, caller.owner)
    await copy_into(state, record, media, uploads, caller)
    context = {"form": state, "oob": True, "upstream": resolve_upstream(state.base_url)}
    return render(request, "console/_form_reuse.html", context | {"error": None})
