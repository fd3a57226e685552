"""`POST /v1/image_to_video`: check the body, keep the frames, start a simulated task."""

import asyncio
import random
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.catalog import MODELS, SEED_MAX, ratio_shape
from app.simulator.answers import apply_faults, authorised, caller_owner, error
from app.simulator.callbacks import hook_refusal, watch
from app.simulator.checks import BodyRefused, check_create, frames
from app.simulator.faults import marker_create_status, marker_outcome
from app.simulator.state import SimState, sim_state
from app.simulator.store import BASE_RUN_SECONDS, SimTask
from app.simulator.upload_store import unknown_uploads


def _render_ratio(ratio: object) -> str:
    """The W:H the video is rendered at: a named ratio (`auto_720p`, `adaptive`) or none
    follows the image upstream; here it is landscape HD, since frames are not measured."""
    return ratio if isinstance(ratio, str) and ratio_shape(ratio) else "1280:720"


def _new_task(state: SimState, body: dict[str, Any], owner: str) -> SimTask:
    prompt = body.get("promptText") or ""
    outcome, code, failure = marker_outcome(prompt)
    seed = body.get("seed")
    task = SimTask(
        id=state.store.new_id(),
        created_at=time.time(),
        model=body["model"],
        ratio=_render_ratio(body.get("ratio")),
        duration=body["duration"],
        seed=seed if seed is not None else random.randint(0, SEED_MAX),
        prompt=prompt,
        frames={},
        run_seconds=BASE_RUN_SECONDS / state.speed * (4 if "[sim:slow]" in prompt else 1),
        outcome=outcome,
        failure_code=code,
        throttled="[sim:throttle]" in prompt,
        extra={"failure": failure} if failure else {},
        credits=MODELS[body["model"]].credits(body["duration"]),
        owner=owner,
    )
    if body.get("watermark"):
        task.extra["watermark"] = True
    for image in frames(body["promptImage"]):
        # Keyframes render; of reference images (no position) the first stands in for one.
        position = image.get("position") or ("first" if "first" not in task.frames else None)
        if position in ("first", "last") and position not in task.frames:
            task.frames[position] = state.store.save_frame(task.id, position, image["uri"])
    return task


async def create_task(request: Request) -> Response:
    state = sim_state(request)
    if fault := await apply_faults(state, "create"):
        return fault
    if not authorised(request):
        return error(request, 401, "Invalid API key")
    try:
        body = await request.json()
    except ValueError:
        return error(request, 400, "Request body must be JSON")
    if not isinstance(body, dict):
        return error(request, 400, "Request body must be a JSON object")
    try:
        body = check_create("image_to_video", body)
    except BodyRefused as refused:
        answer = refused.answer()
        return error(request, 400, answer["error"], issues=answer["issues"])
    if missing := unknown_uploads(
        state.store.root, [f.get("uri") for f in frames(body["promptImage"])]
    ):
        issue = {"path": ["promptImage"], "message": f"Unknown or expired upload: {missing[0]}"}
        return error(request, 400, "Invalid parameter 'promptImage'", issues=[issue])
    if refusal := hook_refusal(state, request, body):
        issue = {"path": ["notify_hook"], "message": refusal}
        return error(request, 400, "Invalid parameter 'notify_hook'", issues=[issue])
    if status := marker_create_status(body.get("promptText") or ""):
        headers = {"Retry-After": "5"} if status == 429 else {}
        return JSONResponse({"error": f"Simulated {status}"}, status_code=status, headers=headers)
    task = await asyncio.to_thread(_new_task, state, body, caller_owner(request))
    await asyncio.to_thread(state.store.save, task)
    watch(state, request, body, task.id)
    return JSONResponse({"id": task.id, "estimatedCost": {"credits": task.credits}})
