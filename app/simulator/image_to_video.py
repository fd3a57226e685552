"""`POST /v1/image_to_video`: check the body, keep the frames, start a simulated task."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.catalog.models import MODELS, ratio_shape
from app.simulator.checks import BodyRefused, check_create, frames
from app.simulator.creating import (
    admitted_body,
    body_refused,
    field_refused,
    new_task,
    start_task,
)
from app.simulator.state import SimState, sim_state
from app.simulator.store import SimTask
from app.simulator.upload_store import unknown_uploads


def _render_ratio(ratio: object) -> str:
    """The W:H the video is rendered at: a named ratio (`auto_720p`, `adaptive`) or none
    follows the image upstream; here it is landscape HD, since frames are not measured."""
    return ratio if isinstance(ratio, str) and ratio_shape(ratio) else "1280:720"


def _new_task(state: SimState, body: dict[str, Any], owner: str) -> SimTask:
    task = new_task(
        state,
        body,
        owner,
        ratio=_render_ratio(body.get("ratio")),
        duration=body["duration"],
        credits=MODELS[body["model"]].credits(body["duration"]),
        extra={},
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
    body = await admitted_body(request, state)
    if isinstance(body, Response):
        return body
    try:
        body = check_create("image_to_video", body)
    except BodyRefused as refused:
        return body_refused(request, refused)
    uris = [image.get("uri") for image in frames(body["promptImage"])]
    if missing := unknown_uploads(state.store.root, uris):
        return field_refused(request, "promptImage", f"Unknown or expired upload: {missing[0]}")
    return await start_task(request, state, body, _new_task)
