"""`text_to_image`, `text_to_video` and `video_upscale`: the endpoints around image-to-video.

Each checks its body against the SDK's model data (checks.py) and what only it takes (reference
images, the video to upscale), then starts a task with the same lifecycle as image-to-video:
`GET /v1/tasks/{id}` reads it, `DELETE` cancels it, and its output is a real PNG or MP4
(made by the renderer: a picture painted from the prompt and seed, a camera move over it, or
the given video made larger).
"""

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.catalog.hand import CREDITS_PER_SECOND, UNKNOWN_PRICE
from app.catalog.models import ratio_shape
from app.simulator.answers import caller_owner
from app.simulator.checks import BodyRefused, Issue, check_create, image_uri_problem
from app.simulator.creating import admitted_body, body_refused, new_task, start_task
from app.simulator.state import SimState, sim_state
from app.simulator.store import SimTask
from app.simulator.upload_store import unknown_uploads
from app.simulator.video_inputs import video_read_problem, video_source, video_uri_problem

DEFAULT_RATIO = {
    "text_to_image": "1024:1024",
    "text_to_video": "1280:720",
    "video_upscale": "1280:720",
}
TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,15}$")
# What the estimate says, in credits: the simulator's own guesses (the SDK carries no prices).
IMAGE_CREDITS = {"gen4_image": 8, "gen4_image_turbo": 2}
OTHER_IMAGE_CREDITS = 5
UPSCALE_CREDITS = 20


def _credits(endpoint: str, body: dict[str, Any]) -> int:
    model = body["model"]
    if endpoint == "text_to_video":
        return CREDITS_PER_SECOND.get(model, UNKNOWN_PRICE) * int(body.get("duration") or 0)
    if endpoint == "text_to_image":
        return IMAGE_CREDITS.get(model, OTHER_IMAGE_CREDITS)
    return UPSCALE_CREDITS


def _reference_issues(value: object) -> list[Issue]:
    """`referenceImages`: up to 16 objects, each a valid image URI and an optional tag."""
    if not isinstance(value, list) or not 0 < len(value) <= 16:
        return [Issue(("referenceImages",), "Expected an array of 1 to 16 images")]
    issues = []
    for index, item in enumerate(value):
        path = ("referenceImages", index)
        if not isinstance(item, dict):
            issues.append(Issue(path, "Each image must be an object with a uri"))
            continue
        if problem := image_uri_problem(item.get("uri")):
            issues.append(Issue((*path, "uri"), problem))
        tag = item.get("tag")
        if tag is not None and (not isinstance(tag, str) or not TAG.match(tag)):
            issues.append(
                Issue((*path, "tag"), "3-16 letters, digits or _, starting with a letter")
            )
    return issues


def _input_issues(endpoint: str, body: dict[str, Any], state: SimState, owner: str) -> list[Issue]:
    issues: list[Issue] = []
    uris: list[object] = []
    if endpoint == "text_to_image" and body.get("referenceImages") is not None:
        issues += _reference_issues(body["referenceImages"])
        uris += [i.get("uri") for i in body["referenceImages"] if isinstance(i, dict)]
    if endpoint == "video_upscale":
        uri = body.get("videoUri")
        problem = video_uri_problem(uri)
        if problem is None and isinstance(uri, str):
            problem = video_read_problem(state, uri, owner)
        if problem:
            issues.append(Issue(("videoUri",), problem))
        uris.append(body.get("videoUri"))
    for uri in unknown_uploads(state.store.root, uris):
        field = "videoUri" if endpoint == "video_upscale" else "referenceImages"
        issues.append(Issue((field,), f"Unknown or expired upload: {uri}"))
    return issues


def _new_task(state: SimState, endpoint: str, body: dict[str, Any], owner: str) -> SimTask:
    ratio = body.get("ratio")
    task = new_task(
        state,
        body,
        owner,
        ratio=ratio if isinstance(ratio, str) and ratio_shape(ratio) else DEFAULT_RATIO[endpoint],
        duration=body.get("duration") or 0,
        credits=_credits(endpoint, body),
        extra={"kind": endpoint},
    )
    for name in ("resolution", "targetFramerate"):
        if body.get(name) is not None:
            task.extra[name] = body[name]
    if endpoint == "video_upscale":
        uri = body["videoUri"]
        task.extra["video"] = video_source(state, task.id, uri)
        task.extra["videoUri"] = "data:…" if uri.startswith("data:") else uri
    return task


async def _create(request: Request, endpoint: str) -> Response:
    state = sim_state(request)
    body = await admitted_body(request, state)
    if isinstance(body, Response):
        return body
    try:
        body = check_create(endpoint, body)
        if issues := _input_issues(endpoint, body, state, caller_owner(request)):
            raise BodyRefused(issues)
    except BodyRefused as refused:
        return body_refused(request, refused)

    def build(state: SimState, body: dict[str, Any], owner: str) -> SimTask:
        return _new_task(state, endpoint, body, owner)

    return await start_task(request, state, body, build)


async def create_text_to_image(request: Request) -> Response:
    return await _create(request, "text_to_image")


async def create_text_to_video(request: Request) -> Response:
    return await _create(request, "text_to_video")


async def create_video_upscale(request: Request) -> Response:
    return await _create(request, "video_upscale")
