"""The endpoints the SDK's schemas drive: video_to_video, character_performance (Act-Two),
video_to_hdr, image_upscale and the audio endpoints (audio.py says what is audio's own).

Each body is checked against its model's JSON Schema (schema_checks.py); then every URI whose
schema says what it holds (`x-media`) is checked as the simulator checks inputs elsewhere: a
video must be one it may read (video_inputs.py), an image a URL, upload or image data URI, and
an upload must exist. The task has the lifecycle, markers and failures of every other
(creating.py); its inputs are kept by role (`video`, `character`, `reference`, `image`) for
the renderer (media_render.py).
"""

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.catalog.hand import CREDITS_PER_SECOND, UNKNOWN_PRICE
from app.simulator import audio
from app.simulator.answers import caller_owner
from app.simulator.audio_outputs import AUDIO_KINDS
from app.simulator.checks import BodyRefused, Issue, image_uri_problem
from app.simulator.creating import admitted_body, body_refused, new_task, start_task
from app.simulator.schema_checks import Path, check_schema, media_fields
from app.simulator.state import SimState, sim_state
from app.simulator.store import SimTask
from app.simulator.upload_store import unknown_uploads
from app.simulator.video_inputs import (
    OWN_IMAGE,
    image_source,
    own_image_problem,
    video_read_problem,
    video_source,
    video_uri_problem,
)

# The simulator's own price guesses, in credits (the SDK carries none).
PER_SECOND = {"aleph2": 15, "act_two": 5, "ruby": 20}
UPSCALE_CREDITS = {2: 10, 4: 20, 8: 40, 16: 80}
GUESSED_SECONDS = 5  # an input video's length is not read at create
# The field each endpoint's main input comes in, by role.
ROLES = {
    "videoUri": "video",
    "promptVideo": "video",
    "imageUri": "image",
    "character": "character",
    "reference": "reference",
    "audioUri": "audio",
    "media": "audio",  # speech_to_speech's speech, an audio or a video
}


def _credits(endpoint: str, body: dict[str, Any]) -> int:
    model = body["model"]
    if endpoint in AUDIO_KINDS:
        return audio.credits(endpoint, body)
    if endpoint == "image_upscale":
        return UPSCALE_CREDITS.get(int(body.get("scaleFactor") or 2), 10)
    duration = body.get("duration")
    seconds = int(duration) if isinstance(duration, int | float) else GUESSED_SECONDS
    return PER_SECOND.get(model, CREDITS_PER_SECOND.get(model, UNKNOWN_PRICE)) * seconds


def _media_problem(state: SimState, kind: str, uri: str, owner: str) -> str | None:
    if kind == "video":
        return video_uri_problem(uri) or video_read_problem(state, uri, owner)
    if kind == "image" and OWN_IMAGE.search(uri):
        return own_image_problem(state, uri, owner)
    if kind == "image":
        return image_uri_problem(uri)
    return audio.audio_uri_problem(uri) or audio.audio_read_problem(state, uri, owner)


def _input_issues(state: SimState, found: list[tuple[Path, str, str]], owner: str) -> list[Issue]:
    issues = [
        Issue(path, problem)
        for path, kind, uri in found
        if (problem := _media_problem(state, kind, uri, owner))
    ]
    unknown = set(unknown_uploads(state.store.root, [uri for _p, _k, uri in found]))
    return issues + [
        Issue(path, f"Unknown or expired upload: {uri}")
        for path, _kind, uri in found
        if uri in unknown
    ]


def _inputs(
    state: SimState,
    task_id: str,
    found: list[tuple[Path, str, str]],
    roles: dict[str, str] = ROLES,
) -> dict[str, Any]:
    """The main inputs by role, as the renderer finds them: {role: [kind, source]}. Data
    URIs are kept as bytes; references, keyframes and audio only count in the checks. The
    recipes (recipes.py) name their own roles."""
    kept: dict[str, Any] = {}
    for path, kind, uri in found:
        role = roles.get(str(path[0]))
        if role is None or role in kept:
            continue
        if kind == "video":
            kept[role] = [kind, video_source(state, task_id, uri, role)]
        elif kind == "audio":
            kept[role] = [kind, audio.audio_input(state, task_id, uri, role)]
        else:
            kept[role] = [kind, image_source(state, task_id, role, uri)]
    return kept


def _new_task(
    state: SimState, endpoint: str, body: dict[str, Any], owner: str, schema: dict[str, Any]
) -> SimTask:
    duration = body.get("duration")
    task = new_task(
        state,
        body,
        owner,
        ratio=str(body.get("ratio") or ""),
        duration=int(duration) if isinstance(duration, int | float) else 0,
        credits=_credits(endpoint, body),
        extra={"kind": endpoint},
    )
    task.extra["inputs"] = _inputs(state, task.id, media_fields(body, schema))
    if endpoint in AUDIO_KINDS:
        task.extra.update(audio.task_facts(endpoint, body))
    for name in ("scaleFactor", "targetAspectRatio", "expressionIntensity", "sharpen"):
        if body.get(name) is not None:
            task.extra[name] = body[name]
    return task


NewTask = Callable[[SimState, str, dict[str, Any], str, dict[str, Any]], SimTask]


def _as_sent(body: dict[str, Any]) -> dict[str, Any]:
    return body


async def create_at(
    request: Request,
    endpoint: str,
    make: NewTask = _new_task,
    shared: Callable[[dict[str, Any]], dict[str, Any]] = _as_sent,
) -> Response:
    """A create at one of the endpoints the SDK's schemas drive: the body checked against its
    schema and its inputs, then a task made by `make` from the body as `shared` gives it to
    the shared steps (a recipe names its text and endpoint there: recipes.py)."""
    state = sim_state(request)
    body = await admitted_body(request, state)
    if isinstance(body, Response):
        return body
    owner = caller_owner(request)
    try:
        schema = check_schema(endpoint, body)
        if issues := _input_issues(state, media_fields(body, schema), owner):
            raise BodyRefused(issues)
    except BodyRefused as refused:
        return body_refused(request, refused)

    def build(state: SimState, body: dict[str, Any], owner: str) -> SimTask:
        return make(state, endpoint, body, owner, schema)

    return await start_task(request, state, shared(body), build)


async def create_video_to_video(request: Request) -> Response:
    return await create_at(request, "video_to_video")


async def create_character_performance(request: Request) -> Response:
    return await create_at(request, "character_performance")


async def create_video_to_hdr(request: Request) -> Response:
    return await create_at(request, "video_to_hdr")


async def create_image_upscale(request: Request) -> Response:
    return await create_at(request, "image_upscale")
