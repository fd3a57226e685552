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
from app.simulator.containers import data_uri_format, file_format
from app.simulator.creating import admitted_body, body_refused, new_task, start_task
from app.simulator.state import SimState, sim_state
from app.simulator.store import SimTask
from app.simulator.upload_store import unknown_uploads, upload_path

DEFAULT_RATIO = {
    "text_to_image": "1024:1024",
    "text_to_video": "1280:720",
    "video_upscale": "1280:720",
}
TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,15}$")
VIDEO_DATA_URI = re.compile(r"^data:video/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+$", re.I)
OWN_OUTPUT = re.compile(r"/outputs/([0-9a-f-]{36})\.mp4(\?|$)")
DATA_URI_MAX_CHARS = 5 * 1024 * 1024
NOT_A_VIDEO = "Expected an MP4, QuickTime or WebM video"
NOT_YOUR_OUTPUT = "Not the output of a task made with this API key"
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


def _video_uri_problem(uri: object) -> str | None:
    """A video to upscale: an https URL, a runway:// upload, a data URI, or this simulator's
    own output URL (http when it runs on loopback)."""
    if not isinstance(uri, str) or not uri:
        return "Expected an HTTPS URL, a runway:// upload URI or a data URI"
    if uri.startswith("data:"):
        if len(uri) > DATA_URI_MAX_CHARS:
            return "Data URIs must be at most 5MB"
        return None if VIDEO_DATA_URI.match(uri) else "Expected a base64 video data URI"
    if uri.startswith(("runway://", "https://")) or OWN_OUTPUT.search(uri):
        return None if len(uri) <= 2048 else "URLs must be at most 2048 characters"
    return "Expected an HTTPS URL"


def _video_read_problem(state: SimState, uri: str, owner: str) -> str | None:
    """Why the simulator will not read this video: bytes in a container it does not decode
    (containers.py), or an output of a task another key made (or none at all). A URL it does
    not fetch, or an unknown upload, is not its business."""
    if uri.startswith("data:"):
        return None if data_uri_format(uri) else NOT_A_VIDEO
    if uri.startswith("runway://"):
        path = upload_path(state.store.root, uri)
        return None if path is None or file_format(path) else NOT_A_VIDEO
    if match := OWN_OUTPUT.search(uri):
        task = state.store.load(match.group(1))
        return None if task is not None and task.belongs_to(owner) else NOT_YOUR_OUTPUT
    return None


def _input_issues(endpoint: str, body: dict[str, Any], state: SimState, owner: str) -> list[Issue]:
    issues: list[Issue] = []
    uris: list[object] = []
    if endpoint == "text_to_image" and body.get("referenceImages") is not None:
        issues += _reference_issues(body["referenceImages"])
        uris += [i.get("uri") for i in body["referenceImages"] if isinstance(i, dict)]
    if endpoint == "video_upscale":
        uri = body.get("videoUri")
        problem = _video_uri_problem(uri)
        if problem is None and isinstance(uri, str):
            problem = _video_read_problem(state, uri, owner)
        if problem:
            issues.append(Issue(("videoUri",), problem))
        uris.append(body.get("videoUri"))
    for uri in unknown_uploads(state.store.root, uris):
        field = "videoUri" if endpoint == "video_upscale" else "referenceImages"
        issues.append(Issue((field,), f"Unknown or expired upload: {uri}"))
    return issues


def _video_source(state: SimState, task_id: str, uri: str) -> str:
    """Where the renderer finds the video to upscale: kept bytes, one of this simulator's
    own outputs, an upload, or a URL it will not fetch."""
    if uri.startswith("data:"):
        return state.store.save_frame(task_id, "video", uri)
    if match := OWN_OUTPUT.search(uri):
        return f"output:{match.group(1)}"
    return uri


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
        task.extra["video"] = _video_source(state, task.id, uri)
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
