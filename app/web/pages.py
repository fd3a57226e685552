"""The page and its htmx fragments. Each fragment is a partial the page also includes."""

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response

from app.failures import http_hint
from app.frames import inline_frames
from app.i18n import gettext as _
from app.images import BadImage, prepare_image
from app.recording import TaskNotRecorded
from app.runway.client import UpstreamError
from app.runway.endpoints import BadAddress, UpstreamKind, resolve_upstream
from app.snippets import LANGUAGES, snippet
from app.storage import STATUSES, TaskRecord
from app.submission import AlreadySubmitted
from app.validation import Invalid, check_https_url
from app.web.deps import CallerDep, FramesDep, ServiceDep, SettingsDep, UpstreamsDep
from app.web.forms import (
    FormState,
    FrameSlot,
    attach_errors,
    body_from_state,
    group_runs,
    state_from_form,
    state_from_record,
)
from app.web.render import is_htmx, render, render_page

router = APIRouter(include_in_schema=False)
POSITIONS = ("first", "last")


def _fresh_state(upstreams: UpstreamsDep) -> FormState:
    state = FormState(base_url=upstreams.default_address)
    state.fit_to_model()
    return state


def _page_context(
    upstreams: UpstreamsDep, task_id: str | None, group_id: str | None = None
) -> dict[str, object]:
    return {
        "form": _fresh_state(upstreams),
        "task_id": task_id,
        "group_id": group_id,
        "upstream": resolve_upstream(upstreams.default_address),
        "error": None,
        "now": time.time(),
    }


def _render_card(
    request: Request,
    service: ServiceDep,
    record: TaskRecord | None,
    task_id: str,
    headers: dict[str, str] | None = None,
    template: str = "partials/_task_card.html",
    compact: bool = False,
    form: FormState | None = None,
) -> Response:
    context = {
        "form": form,
        "compact": compact,
        "task": record,
        "task_id": task_id,
        "now": time.time(),
        "poll_interval": service.poll_interval(record) if record else 0,
        "video_url": service.video_url(record) if record else None,
    }
    return render(request, template, context, headers=headers)


@router.get("/")
async def index(
    request: Request, upstreams: UpstreamsDep, task: str | None = None, group: str | None = None
) -> Response:
    """The console page; `?task=<id>` or `?group=<id>` reopens a card or a side-by-side grid
    (loaded by htmx, so with the browser's key)."""
    return render_page(request, "index.html", _page_context(upstreams, task, group))


@router.get("/tasks/{task_id}")
async def task_page(
    request: Request,
    task_id: str,
    service: ServiceDep,
    upstreams: UpstreamsDep,
    caller: CallerDep,
    seen: str = "",
    compact: bool = False,
) -> Response:
    """A task's own address: the page around its card, or the card alone for htmx.

    A poll says which status it last showed (`seen`); when that changed, the history hears of it.
    """
    if is_htmx(request):
        record = await service.get(task_id, caller)
        changed = record is not None and bool(seen) and seen != record.status
        headers = {"HX-Trigger": "taskChanged"} if changed else None
        return _render_card(request, service, record, task_id, headers, compact=compact)
    return render_page(request, "index.html", _page_context(upstreams, task_id))


@router.get("/form/model-fields")
async def model_fields(request: Request, frames: FramesDep) -> Response:
    """Re-render the fields that depend on the model, keeping what still fits."""
    state = await asyncio.to_thread(state_from_form, request.query_params, frames)
    state.fit_to_model()
    return render(request, "partials/_model_fields.html", {"form": state})


@router.get("/form/url-preview")
async def url_preview(request: Request, upstreams: UpstreamsDep, baseUrl: str = "") -> Response:
    """The exact URLs a task will call, live as the address is typed (no DNS lookups here)."""
    context: dict[str, object] = {"error": None, "upstream": None}
    try:
        upstream = resolve_upstream(baseUrl or upstreams.default_address)
        context["upstream"] = upstream
        context["error"] = upstreams.refusal(upstream)
    except BadAddress as exc:
        context["error"] = str(exc)
    return render(request, "partials/_url_preview.html", context)


@router.get("/form/slot/{position}")
async def empty_slot(request: Request, position: str) -> Response:
    if position not in POSITIONS:
        raise HTTPException(404)
    return render(request, "partials/_frame_slot.html", {"slot": FrameSlot(position)})


@router.post("/frames")
async def upload_frame(
    request: Request,
    frames: FramesDep,
    settings: SettingsDep,
    file: UploadFile,
    position: Annotated[str, Query(pattern="^(first|last)$")] = "first",
) -> Response:
    """Check an uploaded image and store it; answer with the filled frame slot."""
    slot = FrameSlot(position)
    if (file.size or 0) > settings.max_upload_bytes:
        slot.error = _("the file is over the {mb} MB limit", mb=f"{settings.max_upload_mb:g}")
    else:
        try:
            # The spooled file itself: its bytes are not all held in memory beside the pixels.
            prepared = await asyncio.to_thread(prepare_image, file.file)
            slot.frame = await asyncio.to_thread(frames.put, prepared)
        except BadImage as exc:
            slot.error = str(exc)
    return render(request, "partials/_frame_slot.html", {"slot": slot})


@router.post("/frames/url")
async def frame_from_url(request: Request, position: str = "first") -> Response:
    """Take an https image URL as it is: passed upstream untouched, never fetched here."""
    position = position if position in POSITIONS else "first"
    url = str((await request.form()).get(f"{position}_url") or "").strip()
    slot = FrameSlot(position, url=url)
    slot.error = (check_https_url(url) or "") if url else _("paste an https:// image URL")
    return render(request, "partials/_frame_slot.html", {"slot": slot})


@router.get("/frames/{sha}/thumb")
async def frame_thumbnail(sha: str, frames: FramesDep) -> Response:
    thumbnail = await asyncio.to_thread(frames.thumbnail, sha)
    if thumbnail is None:
        raise HTTPException(404)
    return Response(
        thumbnail,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )


@router.post("/tasks")
async def submit_task(
    request: Request, service: ServiceDep, frames: FramesDep, caller: CallerDep
) -> Response:
    """Generate: validate, create upstream once, answer with the task card (or the errors)."""
    # A thread: reading a stored frame's facts may be an S3 request.
    state = await asyncio.to_thread(state_from_form, await request.form(), frames)
    body, errors = body_from_state(state)
    runs, run_errors = group_runs(state, body)
    if runs and not errors:
        return await _submit_group(request, service, caller, state, runs)
    errors += run_errors
    try:
        record = await service.submit(
            body, state.base_url or None, caller, errors, submit_token=state.submit_token
        )
    except Invalid as exc:
        return _form_with_errors(request, state, exc)
    except UpstreamError as exc:
        context = {"error": exc, "hint": http_hint(exc.status)}
        return render(request, "partials/_submit_error.html", context)
    except AlreadySubmitted:
        return _already_sent(request)
    except TaskNotRecorded as exc:
        context = {"not_recorded": exc.record.id, "reason": exc.reason}
        return render(request, "partials/_submit_error.html", context)
    headers = {"HX-Push-Url": f"/?task={record.id}", "HX-Trigger": "taskChanged"}
    state.errors.clear()
    state.submit_token = FormState().submit_token
    return _render_card(
        request,
        service,
        record,
        record.id,
        headers,
        template="partials/_submitted.html",
        form=state,
    )


def _form_with_errors(request: Request, state: FormState, exc: Invalid) -> Response:
    """The form again, each bad field named, everything typed kept; nothing was sent."""
    attach_errors(state, exc.errors)
    return render(
        request,
        "partials/_form.html",
        {"form": state, "oob_preview": True},
        headers={"HX-Retarget": "#gen-form", "HX-Reswap": "outerHTML"},
    )


def _already_sent(request: Request) -> Response:
    return render(request, "partials/_submit_error.html", {"error": None, "busy": True})


async def _submit_group(
    request: Request,
    service: ServiceDep,
    caller: CallerDep,
    state: FormState,
    runs: list[tuple[dict[str, object], str | None]],
) -> Response:
    """Side by side: every run checked first, then started as one group."""
    try:
        records, refusals = await service.submit_group(runs, caller, state.submit_token)
    except Invalid as exc:
        return _form_with_errors(request, state, exc)
    except AlreadySubmitted:
        return _already_sent(request)
    if not records:
        error = UpstreamError("; ".join(refusals))
        return render(request, "partials/_submit_error.html", {"error": error, "hint": ""})
    group_id = records[0].group_id
    headers = {"HX-Push-Url": f"/?group={group_id}", "HX-Trigger": "taskChanged"}
    return _render_group(request, service, records, refusals, headers)


def _render_group(
    request: Request,
    service: ServiceDep,
    records: list[TaskRecord],
    refusals: list[str],
    headers: dict[str, str] | None = None,
) -> Response:
    context = {
        "tasks": records,
        "refusals": refusals,
        "now": time.time(),
        "service": service,
        "group_id": records[0].group_id if records else "",
        "next_submit_token": FormState().submit_token,
    }
    return render(request, "partials/_group.html", context, headers=headers)


@router.get("/groups/{group_id}")
async def read_group(
    request: Request, group_id: str, service: ServiceDep, caller: CallerDep
) -> Response:
    """A side-by-side group's grid (each card polls itself)."""
    records = await service.list_group(group_id, caller)
    if not records:
        raise HTTPException(404)
    return _render_group(request, service, records, [])


@router.post("/tasks/{task_id}/cancel")
async def cancel_task(
    request: Request, task_id: str, service: ServiceDep, caller: CallerDep
) -> Response:
    """Cancel from the card; an upstream refusal is shown on the card, which keeps polling."""
    try:
        record = await service.cancel(task_id, caller)
    except UpstreamError as exc:
        record = await service.get(task_id, caller, refresh=False)
        if record is not None:
            record.last_error = _(
                "cancel failed: {error} — {hint}", error=exc.message, hint=http_hint(exc.status)
            )
    if record is None:
        raise HTTPException(404)
    return _render_card(request, service, record, task_id, {"HX-Trigger": "taskChanged"})


@router.delete("/tasks/{task_id}")
async def delete_task_page(
    request: Request, task_id: str, service: ServiceDep, caller: CallerDep
) -> Response:
    try:
        await service.delete(task_id, caller)
    except UpstreamError as exc:
        return render(
            request, "partials/_submit_error.html", {"error": exc, "hint": http_hint(exc.status)}
        )
    return Response("", headers={"HX-Trigger": "taskChanged"})


@router.get("/tasks/{task_id}/code/{language}")
async def task_code(
    request: Request,
    task_id: str,
    language: str,
    service: ServiceDep,
    frames: FramesDep,
    caller: CallerDep,
    key: str = "env",
) -> PlainTextResponse:
    """The task's create and read as code, body in full so it runs as it is."""
    record = await service.get(task_id, caller, refresh=False)
    if record is None or language not in LANGUAGES:
        raise HTTPException(404)
    upstream = resolve_upstream(record.base_url)
    api_root = upstream.api_root
    if upstream.kind is UpstreamKind.SIMULATOR:
        api_root = str(request.base_url).rstrip("/") + "/simulator/v1"
    body, _ = await asyncio.to_thread(inline_frames, frames, record.request)
    text = snippet(
        language,
        upstream,
        api_root,
        body,
        record.id,
        "masked" if key == "masked" else "env",
        record.key_mask,
    )
    if text is None:
        raise HTTPException(404, f"the official SDK does not know {record.model}")
    return PlainTextResponse(text)


@router.get("/account")
async def account_panel(
    request: Request, service: ServiceDep, caller: CallerDep, baseUrl: str = "", model: str = ""
) -> Response:
    """Credits and daily limits for the address and key in use (official API and simulator)."""
    context: dict[str, object] = {"account": None, "error": None, "model": model}
    try:
        context["account"] = await service.account(baseUrl or None, caller)
    except Invalid as exc:
        context["error"] = exc.errors[0].message
    except UpstreamError as exc:
        context["error"] = exc.message
        context["status"] = exc.status
    return render(request, "partials/_account.html", context)


@router.post("/relay-check")
async def relay_check(request: Request, service: ServiceDep, caller: CallerDep) -> Response:
    """Probe the address in the form and report where it differs from the official API."""
    form = await request.form()
    address = str(form.get("baseUrl") or "") or None
    context: dict[str, object] = {"report": None, "error": None}
    try:
        context["report"] = await service.check_relay(address, caller, form.get("tiny") == "1")
    except Invalid as exc:
        context["error"] = exc.errors[0].message
    except UpstreamError as exc:
        context["error"] = exc.message
    return render(request, "partials/_relay_report.html", context)


@router.get("/tasks/{task_id}/video-state")
async def video_state(
    request: Request, task_id: str, service: ServiceDep, caller: CallerDep
) -> Response:
    """Whether the console's own copy of the video is saved yet (the player is left alone)."""
    record = await service.get(task_id, caller)
    if record is None or not record.output:
        raise HTTPException(404)
    context = {"task": record, "video_url": service.video_url(record)}
    return render(request, "partials/_video_state.html", context)


@router.get("/form/reuse/{task_id}")
async def reuse_form(
    request: Request,
    task_id: str,
    service: ServiceDep,
    frames: FramesDep,
    caller: CallerDep,
    new_seed: bool = False,
) -> Response:
    """The form filled with a past task's settings and frames (and its address, out of band)."""
    record = await service.get(task_id, caller, refresh=False)
    if record is None:
        raise HTTPException(404)
    state = await asyncio.to_thread(state_from_record, record, frames, new_seed)
    context = {
        "form": state,
        "oob": True,
        "upstream": resolve_upstream(state.base_url),
        "error": None,
    }
    return render(request, "partials/_form_reuse.html", context)


HISTORY_PAGE = 25


async def _history_page(
    service: ServiceDep, caller: CallerDep, status: str, before: float | None
) -> dict[str, object]:
    """One page of history; tasks still running on it are refreshed (coalesced) as it is read."""
    status_filter = status if status in STATUSES else None
    records, more = await service.list_tasks(caller, HISTORY_PAGE, status_filter, before)
    return {
        "tasks": records,
        "more": more,
        "now": time.time(),
        "status": status_filter or "",
        "active": any(not r.is_final for r in records),
    }


@router.get("/history")
async def history(
    request: Request, service: ServiceDep, caller: CallerDep, status: str = ""
) -> Response:
    context = await _history_page(service, caller, status, None)
    context["total"] = await service.count(caller)
    return render(request, "partials/_history.html", context)


@router.get("/history/rows")
async def history_rows(
    request: Request, service: ServiceDep, caller: CallerDep, before: float, status: str = ""
) -> Response:
    """The next page of rows, for "Load more"."""
    context = await _history_page(service, caller, status, before)
    return render(request, "partials/_history_rows.html", context)
