"""Reading and deleting tasks: `GET` and `DELETE /v1/tasks/{id}`, whatever endpoint made them."""

import asyncio
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.core.timestamps import iso_time
from app.runway.status import FINAL_STATUSES
from app.simulator.answers import apply_faults, authorised, caller_owner, error
from app.simulator.outputs import output_url
from app.simulator.state import SimState, sim_state
from app.simulator.store import SimTask


def iso(ts: float) -> str:
    return iso_time(ts).replace("+00:00", "Z")  # Runway writes UTC as Z


def task_body(state: SimState, request: Request, task: SimTask) -> dict[str, Any]:
    status, progress = task.phase(time.time())
    if task.outcome == "SUCCEEDED" and status in ("RUNNING", "SUCCEEDED"):
        # Rendered for tasks someone watches, starting while they run: a create stays cheap
        # and a thousand unwatched tasks cost no CPU, as on a real upstream.
        state.renderer.ensure(task)
    if status == "SUCCEEDED" and not state.renderer.is_ready(task.id):
        status, progress = "RUNNING", 0.99
    body: dict[str, Any] = {"id": task.id, "status": status, "createdAt": iso(task.created_at)}
    if status == "RUNNING":
        body["progress"] = round(min(progress, 0.99), 3)
        if "progress_percent" in state.quirks:
            body["progress"] = round(body["progress"] * 100, 1)
    elif status == "SUCCEEDED":
        url = output_url(state, request, task)
        body["output"] = url if "output_string" in state.quirks else [url]
    elif status == "FAILED":
        body["failure"] = task.extra.get("failure", "Generation failed.")
        body["failureCode"] = task.failure_code
    # The SDK picks a task's type by these: cost when final, else estimate.
    if status in FINAL_STATUSES:
        body["cost"] = {"credits": task.charged(time.time()) if status != "CANCELLED" else 0}
    else:
        body["estimatedCost"] = {"credits": task.credits}
    if "status_lowercase" in state.quirks:
        body["status"] = status.lower()
    return body


async def known_task(request: Request, target: str) -> SimTask | Response:
    """Faults, auth and the lookup every task route starts with: the task, or the answer."""
    state = sim_state(request)
    if fault := await apply_faults(state, target):
        return fault
    if not authorised(request):
        return error(request, 401, "Invalid API key")
    task = state.store.load(request.path_params["task_id"])
    if task is None or not task.belongs_to(caller_owner(request)):
        return error(request, 404, "Task not found")  # another key's task is not there for you
    return task


async def read_task(request: Request) -> Response:
    task = await known_task(request, "read")
    if isinstance(task, Response):
        return task
    return JSONResponse(task_body(sim_state(request), request, task))


async def delete_task(request: Request) -> Response:
    task = await known_task(request, "cancel")
    if isinstance(task, Response):
        return task
    state = sim_state(request)
    now = time.time()
    status, _ = task.phase(now)
    if status in FINAL_STATUSES:  # deleted with its frames and video, as Runway does
        await asyncio.to_thread(state.books.forget, task, now)
        await asyncio.to_thread(state.store.delete, task.id)
    else:
        task.cancelled_at = now
        await asyncio.to_thread(state.store.forget_inputs, task)
        await asyncio.to_thread(state.store.save, task)
        # Its slot is free: a task waiting THROTTLED behind it moves up.
        await asyncio.to_thread(state.books.requeue, task.owner, task.model)
    return Response(status_code=204)
