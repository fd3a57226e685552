"""The recipes (`/v1/recipes/<name>`): Runway's workflows, made cheaply and by seed.

Each body is checked against its recipe's JSON Schema (schema_checks.py) and its media inputs
as the other schema-driven endpoints' are (media_tasks.py); a recipe names no model, so its
text (prompt, concept, product info) carries the simulator's markers as `promptText` does
elsewhere.

recipe_render.py makes their outputs.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.catalog.hand import RECIPE_CREDITS, UNKNOWN_TASK_PRICE
from app.catalog.models import SCHEMAS
from app.simulator.creating import new_task
from app.simulator.media_tasks import _inputs, create_at
from app.simulator.recipe_render import IMAGE_RECIPES, PREFIX, is_recipe
from app.simulator.schema_checks import media_fields
from app.simulator.state import SimState
from app.simulator.store import SimTask

# The ratio a video recipe runs at when its body names none (product_swap names a resolution).
RATIOS = {"product_ugc": "720:1280", "product_swap": "1280:720"}
RESOLUTIONS = {"720p": "1280:720", "1080p": "1920:1080"}
# The field each input comes in, by the role the renderer finds it under.
ROLES = {
    "productImages": "image",
    "productImage": "image",
    "newProductImages": "image",
    "referenceImage": "image",
    "image": "image",
    "firstFrame": "image",
    "styleImages": "style",
    "characterImage": "character",
    "referenceVideo": "video",
}
TEXTS = ("prompt", "userConcept", "productInfo")  # where a recipe's markers may be


def _marked(body: dict[str, Any]) -> dict[str, Any]:
    """The body as the shared task steps read it: its text as `promptText` (markers)."""
    shots = body.get("shots")
    texts = [body.get(name) for name in TEXTS]
    if isinstance(shots, list):
        texts += [shot.get("prompt") for shot in shots if isinstance(shot, dict)]
    text = " ".join(t for t in texts if isinstance(t, str))
    return {**body, "promptText": text}


def _seconds(endpoint: str, body: dict[str, Any], schema: dict[str, Any]) -> int:
    if endpoint.removeprefix(PREFIX) in IMAGE_RECIPES:
        return 0
    duration = body.get("duration")
    if isinstance(duration, int | float):
        return int(duration)
    return int(schema["properties"].get("duration", {}).get("default", 10))


def _credits(endpoint: str, body: dict[str, Any], seconds: int) -> int:
    price = RECIPE_CREDITS.get(endpoint, UNKNOWN_TASK_PRICE)
    if seconds:
        return price * seconds
    count = body.get("outputCount")
    return price * (int(count) if isinstance(count, int | float) else 1)


def _ratio(name: str, body: dict[str, Any]) -> str:
    if name in IMAGE_RECIPES:
        return ""
    if isinstance(body.get("resolution"), str):
        return RESOLUTIONS.get(body["resolution"], "1280:720")
    return str(body.get("ratio") or RATIOS.get(name, "1280:720"))


def _new_task(
    state: SimState, endpoint: str, body: dict[str, Any], owner: str, schema: dict[str, Any]
) -> SimTask:
    seconds = _seconds(endpoint, body, schema)
    name = endpoint.removeprefix(PREFIX)
    task = new_task(
        state,
        body,
        owner,
        ratio=_ratio(name, body),
        duration=seconds,
        credits=_credits(endpoint, body, seconds),
        extra={"kind": endpoint},
    )
    task.extra["inputs"] = _inputs(state, task.id, media_fields(body, schema), ROLES)
    task.extra["recipe"] = {k: body[k] for k in ("targetLanguage", "prompt", "shots") if k in body}
    return task


async def _create(request: Request, endpoint: str) -> Response:
    def shared(body: dict[str, Any]) -> dict[str, Any]:
        return {**_marked(body), "model": endpoint}

    return await create_at(request, endpoint, _new_task, shared)


def recipe_route(endpoint: str) -> Callable[[Request], Awaitable[Response]]:
    """The create handler of one recipe (a function, as Starlette's Route wants one)."""

    async def create_recipe(request: Request) -> Response:
        return await _create(request, endpoint)

    create_recipe.__name__ = f"create_{endpoint.replace('/', '_')}"
    return create_recipe


RECIPE_PATHS = tuple(name for name in SCHEMAS if is_recipe(name))
