"""The JSON API: the same actions as the page, for scripts and CI (OpenAPI at /docs)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Query, Response
from fastapi.responses import JSONResponse

from app.callbacks.hooks import HookStore
from app.catalog.endpoints import endpoint_named
from app.catalog.models import random_seed
from app.runway.endpoints import SIMULATOR_ADDRESS
from app.runway.status import STATUSES
from app.storage.task_record import TaskRecord
from app.tasks.recording import TaskNotRecorded
from app.tasks.service import TaskService
from app.tasks.submit_tokens import AlreadySubmitted
from app.web.deps import (
    KEY_HEADER_DOC,
    CallerDep,
    HooksDep,
    RelayCheckDep,
    ServiceDep,
    TaskCallDep,
    public_base_dependency,
)
from app.web.task_object import task_to_api

router = APIRouter(prefix="/api", tags=["tasks"])
# Where this client reached the console: the answers' URLs are absolute on it.
BaseDep = Annotated[str, Depends(public_base_dependency)]

EXAMPLE_BODY = {
    "model": "gen3a_turbo",
    "promptImage": [
        {"uri": "https://example.com/first.jpg", "position": "first"},
        {"uri": "https://example.com/last.jpg", "position": "last"},
    ],
    "promptText": "A slow dolly shot across a misty lake at dawn",
    "seed": 4294967295,
    "watermark": False,
    "duration": 5,
    "ratio": "1280:768",
}
EXAMPLE_CREATE = {**EXAMPLE_BODY, "baseUrl": SIMULATOR_ADDRESS}


@router.post("/tasks", status_code=201, response_model=dict[str, Any], openapi_extra=KEY_HEADER_DOC)
async def create_task(
    call: TaskCallDep,
    body: Annotated[dict[str, Any], Body(examples=[EXAMPLE_CREATE])],
    submit_token: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
) -> JSONResponse:
    """Start a task: a Runway create body as it is, plus an optional `baseUrl`, and an
    optional `endpoint` (`image_to_video` when absent, or any other of
    app/catalog/endpoints.py: `text_to_video`, `video_to_video`, `image_upscale`, ...), the
    create endpoint it is sent to.

    422 lists each bad field (nothing is sent upstream); an upstream error comes back as 502
    with the upstream's status and body. With an `Idempotency-Key` header, a repeat of the same
    key returns the task the first request made instead of starting another (409 while the
    first is still being sent). 202 when the upstream accepted the task but the database did
    not take it yet: the answer names the task, which the console keeps trying to record.
    """
    body = dict(body)
    endpoint = endpoint_named(body.pop("endpoint", None))  # Invalid: 422 naming the field
    if body.get("seed") is None and endpoint.takes_seed(body.get("model")):
        body["seed"] = random_seed()  # so the task records the seed it used
    address = body.pop("baseUrl", None)
    address = address if isinstance(address, str) else None
    notify_here = body.pop("notifyHere", False) is True
    try:
        record = await call.service.submit(
            body,
            address,
            call.caller,
            submit_token=submit_token,
            notify_here=notify_here,
            endpoint=endpoint.path,
        )
    except AlreadySubmitted:
        raise HTTPException(
            409, "a request with this Idempotency-Key is still being sent"
        ) from None
    except TaskNotRecorded as exc:
        # 202, not 5xx: the task exists upstream, and a client that retried would pay twice.
        message = f"{exc}. It will appear in history once the database takes it; do not resend."
        task = task_to_api(exc.record, call.service.video_url(exc.record), call.base)
        return JSONResponse({**task, "recorded": False, "lastError": message}, status_code=202)
    return JSONResponse(await _with_hook(call.service, call.hooks, record, call.base), 201)


@router.post("/tasks/{task_id}/upscale", status_code=201)
async def upscale_task(
    task_id: str,
    service: ServiceDep,
    hooks: HooksDep,
    caller: CallerDep,
    base: BaseDep,
    submit_token: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
) -> dict[str, Any]:
    """Upscale a succeeded video task: a new `video_upscale` task on the same upstream, whose
    `videoUri` is the video's output URL. 422 when the task is not a succeeded video."""
    try:
        record = await service.upscale(task_id, caller, submit_token)
    except AlreadySubmitted:
        raise HTTPException(
            409, "a request with this Idempotency-Key is still being sent"
        ) from None
    if record is None:
        raise HTTPException(404, "no such task for this key")
    return await _with_hook(service, hooks, record, base)


@router.get("/tasks")
async def list_tasks(
    service: ServiceDep,
    caller: CallerDep,
    base: BaseDep,
    status: Annotated[str | None, Query(description="only tasks with this status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, list[dict[str, Any]]]:
    """The caller's tasks, newest first; running ones on the list are refreshed when due."""
    if status is not None and status not in STATUSES:
        raise HTTPException(422, f"status must be one of {', '.join(STATUSES)}")
    records, _more = await service.list_tasks(caller, limit, status)
    return {"tasks": [task_to_api(record, service.video_url(record), base) for record in records]}


@router.get("/tasks/{task_id}", response_model=dict[str, Any], openapi_extra=KEY_HEADER_DOC)
async def read_task(task_id: str, call: TaskCallDep) -> JSONResponse:
    """One task, refreshed from upstream when a poll is due."""
    record = await call.service.get(task_id, call.caller)
    if record is None:
        raise HTTPException(404, "no such task for this key")
    # Returned as it is: FastAPI's validation of a dict answer against `dict[str, Any]` and
    # its encoding walk cost a read more than building it did.
    return JSONResponse(await _with_hook(call.service, call.hooks, record, call.base))


async def _with_hook(
    service: TaskService, hooks: HookStore, record: TaskRecord, base: str
) -> dict[str, Any]:
    """The task object, with `hook` when the console receives its callback."""
    task = task_to_api(record, service.video_url(record), base)
    hook = await hooks.for_task(record)
    if hook is not None:
        task["hook"] = hook.as_api()
    return task


@router.delete("/tasks/{task_id}", status_code=204)
async def delete_task(task_id: str, service: ServiceDep, caller: CallerDep) -> Response:
    """Cancel upstream if still running, and remove the task from history."""
    if not await service.delete(task_id, caller):
        raise HTTPException(404, "no such task for this key")
    return Response(status_code=204)


@router.post("/relay-check", tags=["tools"])
async def check_relay(
    check: RelayCheckDep,
    caller: CallerDep,
    base_url: Annotated[str | None, Body(alias="baseUrl", embed=True)] = None,
    tiny_task: Annotated[bool, Body(alias="tinyTask", embed=True)] = False,
    notify_here: Annotated[bool, Body(alias="notifyHere", embed=True)] = False,
) -> dict[str, Any]:
    """Probe an address and key; `tinyTask: true` also runs one real 5 s task (it costs), and
    `notifyHere: true` with it reports whether the relay's callback to this console came."""
    report = await check.check(base_url, caller, tiny_task, notify_here)
    return {
        "address": report.address,
        "summary": report.summary,
        "taskId": report.task_id,
        "items": [item.__dict__ for item in report.items],
    }
