"""The console page and a task's card: submit, watch, cancel, delete, side by side."""

import asyncio
import time
from collections.abc import Awaitable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.catalog.failures import http_hint
from app.core.i18n import gettext as _
from app.core.keys import Caller
from app.runway.client import UpstreamError
from app.runway.endpoints import resolve_upstream
from app.storage.task_record import TaskRecord
from app.web.deps import (
    CallerDep,
    FrameOwnersDep,
    FramesDep,
    ServiceDep,
    UpstreamsDep,
    second_caller,
    services,
)
from app.web.forms import (
    FormState,
    body_from_state,
    group_runs,
    keep_owned_frames,
    state_from_form,
)
from app.web.refusals import REFUSALS, refusal
from app.web.render import is_htmx, render, render_page

router = APIRouter()


def _fresh_state(upstreams: UpstreamsDep) -> FormState:
    state = FormState(base_url=upstreams.default_address)
    state.fit_to_model()
    return state


def _page_context(
    upstreams: UpstreamsDep,
    task_id: str | None,
    group_id: str | None = None,
    inspect: bool = False,
) -> dict[str, object]:
    return {
        "inspect": inspect,
        "form": _fresh_state(upstreams),
        "task_id": task_id,
        "group_id": group_id,
        "upstream": resolve_upstream(upstreams.default_address),
        "error": None,
        "now": time.time(),
    }


async def _render_card(
    request: Request,
    service: ServiceDep,
    record: TaskRecord | None,
    task_id: str,
    headers: dict[str, str] | None = None,
    template: str = "console/_task_card.html",
    compact: bool = False,
    form: FormState | None = None,
    inspect: bool = False,
) -> Response:
    context = {
        "inspect": inspect,  # "Open with inspector": the card comes with its inspector open
        "form": form,
        "compact": compact,
        "task": record,
        "task_id": task_id,
        "now": time.time(),
        "poll_interval": service.poll_interval(record) if record else 0,
        "video_url": service.video_url(record) if record else None,
        "hook": await services(request).hooks.for_task(record) if record else None,
    }
    return render(request, template, context, headers=headers)


@router.get("/")
async def index(
    request: Request,
    upstreams: UpstreamsDep,
    task: str | None = None,
    group: str | None = None,
    inspect: bool = False,
) -> Response:
    """The console page; `?task=<id>` or `?group=<id>` reopens a card or a side-by-side grid
    (loaded by htmx, so with the browser's key); `&inspect=1` opens the card's inspector."""
    context = _page_context(upstreams, task, group, inspect)
    return render_page(request, "console/index.html", context)


@router.get("/tasks/{task_id}")
async def task_page(
    request: Request,
    task_id: str,
    service: ServiceDep,
    upstreams: UpstreamsDep,
    caller: CallerDep,
    seen: str = "",
    compact: bool = False,
    inspect: bool = False,
) -> Response:
    """A task's own address: the page around its card, or the card alone for htmx.

    A poll says which status it last showed (`seen`); when that changed, the history hears of it.
    """
    if is_htmx(request):
        record = await service.get(task_id, caller)
        changed = record is not None and bool(seen) and seen != record.status
        headers = {"HX-Trigger": "taskChanged"} if changed else None
        return await _render_card(
            request, service, record, task_id, headers, compact=compact, inspect=inspect
        )
    return render_page(
        request, "console/index.html", _page_context(upstreams, task_id, None, inspect)
    )


@router.post("/tasks")
async def submit_task(
    request: Request,
    service: ServiceDep,
    frames: FramesDep,
    owners: FrameOwnersDep,
    caller: CallerDep,
    upstreams: UpstreamsDep,
) -> Response:
    """Generate: validate, create upstream once, answer with the task card (or the errors)."""
    # A thread: reading a stored frame's facts may be an S3 request.
    state = await asyncio.to_thread(state_from_form, await request.form(), frames)
    await keep_owned_frames(state, owners, caller.owner)
    body, errors = body_from_state(state)
    runs, run_errors = group_runs(state, body)
    if runs and not errors:
        senders = None
        if state.compare_base_url:  # the second address goes with its own key, or none
            # Its key comes as the page's key does, in a header: never a form field that
            # another request's hx-include could put in a URL.
            key = request.headers.get("X-Runway-Compare-Key")
            second = await second_caller(request, upstreams, caller, key)
            senders = [caller, second]
        return await _submit_group(request, service, caller, state, runs, senders)
    errors += run_errors
    try:
        record = await service.submit(
            body,
            state.base_url or None,
            caller,
            errors,
            submit_token=state.submit_token,
            notify_here=state.notify_here,
            endpoint=state.endpoint,
        )
    except REFUSALS as exc:
        return refusal(request, exc, form=state)
    headers = {"HX-Push-Url": f"/?task={record.id}", "HX-Trigger": "taskChanged"}
    state.errors.clear()
    state.submit_token = FormState().submit_token
    return await _render_card(
        request,
        service,
        record,
        record.id,
        headers,
        template="console/_submitted.html",
        form=state,
    )


async def _submit_group(
    request: Request,
    service: ServiceDep,
    caller: CallerDep,
    state: FormState,
    runs: list[tuple[dict[str, object], str | None]],
    senders: list[Caller] | None = None,
) -> Response:
    """Side by side: every run checked first, then started as one group."""
    try:
        records, refusals = await service.submit_group(
            runs, caller, state.submit_token, state.endpoint, senders
        )
    except REFUSALS as exc:
        return refusal(request, exc, form=state)
    if not records:
        error = UpstreamError("; ".join(refusals))
        return render(request, "console/_submit_error.html", {"error": error, "hint": ""})
    group_id = records[0].group_id
    headers = {"HX-Push-Url": f"/?group={group_id}", "HX-Trigger": "taskChanged"}
    # A task sent with the second key belongs to it: the page reads its card with that key.
    second = {record.id for record in records if record.owner != caller.owner}
    return _render_group(request, service, records, refusals, headers, second)


def _render_group(
    request: Request,
    service: ServiceDep,
    records: list[TaskRecord],
    refusals: list[str],
    headers: dict[str, str] | None = None,
    second_key_ids: set[str] | None = None,
) -> Response:
    context = {
        "second_key_ids": second_key_ids or set(),
        "tasks": records,
        "refusals": refusals,
        "now": time.time(),
        "service": service,
        "group_id": records[0].group_id if records else "",
        "next_submit_token": FormState().submit_token,
    }
    return render(request, "console/_group.html", context, headers=headers)


@router.get("/groups/{group_id}")
async def read_group(
    request: Request, group_id: str, service: ServiceDep, caller: CallerDep
) -> Response:
    """A side-by-side group's grid (each card polls itself)."""
    records = await service.list_group(group_id, caller)
    if not records:
        raise HTTPException(404)
    return _render_group(request, service, records, [])


@router.post("/tasks/{task_id}/upscale")
async def upscale_task_page(
    request: Request, task_id: str, service: ServiceDep, caller: CallerDep
) -> Response:
    """Upscale from a succeeded video's card: the new task's card takes the result's place."""
    try:
        record = await service.upscale(task_id, caller)
    except REFUSALS as exc:
        return refusal(request, exc)
    if record is None:
        raise HTTPException(404)
    headers = {"HX-Push-Url": f"/?task={record.id}", "HX-Trigger": "taskChanged"}
    return await _render_card(request, service, record, record.id, headers)


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
    return await _render_card(request, service, record, task_id, {"HX-Trigger": "taskChanged"})


async def _deleted(request: Request, deleting: Awaitable[object]) -> Response:
    """A Delete's answer: nothing in the row's place, and history and credits catch up."""
    try:
        await deleting
    except REFUSALS as exc:
        return refusal(request, exc)
    return Response("", headers={"HX-Trigger": "taskChanged"})


@router.delete("/tasks/{task_id}")
async def delete_task_page(
    request: Request, task_id: str, service: ServiceDep, caller: CallerDep
) -> Response:
    return await _deleted(request, service.delete(task_id, caller))


@router.delete("/groups/{group_id}")
async def delete_group_page(
    request: Request, group_id: str, service: ServiceDep, caller: CallerDep
) -> Response:
    """A group's history row deletes every run of the group, as single rows delete theirs."""
    return await _deleted(request, service.delete_group(group_id, caller))


@router.get("/tasks/{task_id}/video-state")
async def video_state(
    request: Request, task_id: str, service: ServiceDep, caller: CallerDep, compact: bool = False
) -> Response:
    """Whether the console's own copy of the video is saved yet; once it is, the player moves
    to it (video.js), since an http relay's own URL never plays under the page's CSP."""
    record = await service.get(task_id, caller)
    if record is None or not record.output:
        raise HTTPException(404)
    context = {"task": record, "video_url": service.video_url(record), "compact": compact}
    return render(request, "console/_video_state.html", context)
