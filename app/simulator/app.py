"""The simulator as an ASGI app: Runway's paths, shapes and errors, plus a control endpoint.

Served at both `/v1/...` (official style) and `/runwayml/v1/...` (relay style), so any client,
curl with a relay's documented JSON or the official SDK pointed at it, works unchanged. Each
endpoint lives in its own module; this one only puts the routes together.
"""

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.i18n import language
from app.simulator.audio_outputs import AUDIO_KINDS
from app.simulator.callbacks import read_callbacks
from app.simulator.control import control_account, control_faults, read_stats
from app.simulator.faults import FaultBoard
from app.simulator.generations import (
    create_text_to_image,
    create_text_to_video,
    create_video_upscale,
)
from app.simulator.hook_book import Callbacks
from app.simulator.image_to_video import create_task
from app.simulator.media_tasks import (
    create_at,
    create_character_performance,
    create_image_upscale,
    create_video_to_hdr,
    create_video_to_video,
)
from app.simulator.organization import read_organization, read_usage
from app.simulator.outputs import read_output
from app.simulator.protocol import CorsExceptControl, RunwayVersion, json_http_error
from app.simulator.recipes import RECIPE_PATHS, recipe_route
from app.simulator.renderer import Renderer
from app.simulator.state import SimState, load_secret
from app.simulator.store import SimStore
from app.simulator.tasks import delete_task, read_task
from app.simulator.uploads import create_upload, receive_upload


async def read_root(request: Request) -> Response:
    return JSONResponse({"service": "runway-console simulator", "docs": "/v1/image_to_video"})


def api_routes(prefix: str) -> list[Route]:
    """The Runway API's routes under one prefix ("" or "/runwayml")."""
    return [
        Route(f"{prefix}/v1/image_to_video", create_task, methods=["POST"]),
        Route(f"{prefix}/v1/tasks/{{task_id}}", read_task, methods=["GET"]),
        Route(f"{prefix}/v1/tasks/{{task_id}}", delete_task, methods=["DELETE"]),
        Route(f"{prefix}/v1/organization", read_organization, methods=["GET"]),
        Route(f"{prefix}/v1/organization/usage", read_usage, methods=["POST"]),
        Route(f"{prefix}/v1/uploads", create_upload, methods=["POST"]),
        Route(f"{prefix}/v1/text_to_image", create_text_to_image, methods=["POST"]),
        Route(f"{prefix}/v1/text_to_video", create_text_to_video, methods=["POST"]),
        Route(f"{prefix}/v1/video_upscale", create_video_upscale, methods=["POST"]),
        Route(f"{prefix}/v1/video_to_video", create_video_to_video, methods=["POST"]),
        Route(f"{prefix}/v1/character_performance", create_character_performance, methods=["POST"]),
        Route(f"{prefix}/v1/video_to_hdr", create_video_to_hdr, methods=["POST"]),
        Route(f"{prefix}/v1/image_upscale", create_image_upscale, methods=["POST"]),
        *(Route(f"{prefix}/v1/{kind}", _create_at(kind), methods=["POST"]) for kind in AUDIO_KINDS),
        *(Route(f"{prefix}/v1/{p}", recipe_route(p), methods=["POST"]) for p in RECIPE_PATHS),
    ]


def _create_at(endpoint: str) -> Callable[[Request], Awaitable[Response]]:
    async def create(request: Request) -> Response:
        return await create_at(request, endpoint)

    create.__name__ = f"create_{endpoint}"
    return create


class EnglishOnly:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with language("en"):
            await self.app(scope, receive, send)


def create_simulator_app(
    root: Path,
    speed: float = 1.0,
    public_base: str | None = None,
    callback_prefix: str | None = None,
) -> Starlette:
    """Build a simulator keeping its tasks under `root`; `public_base` prefixes output URLs.
    `callback_prefix` is where notify_hook callbacks may go: None calls none (a hook is
    ignored), "" any http(s) URL (the standalone simulator), else only URLs under it (the
    console's own receiver), other hooks being refused at create."""
    store = SimStore(root)
    routes = [
        Route("/", read_root),
        *api_routes(""),
        *api_routes("/runwayml"),
        Route("/outputs/{task_id}.{suffix}", read_output, methods=["GET", "HEAD"]),
        Route("/uploads/{upload_id}", receive_upload, methods=["POST"]),
        Route("/_sim/faults", control_faults, methods=["GET", "POST", "DELETE"]),
        Route("/_sim/stats", read_stats, methods=["GET", "DELETE"]),
        Route("/_sim/account", control_account, methods=["GET", "POST", "DELETE"]),
        Route("/_sim/callbacks", read_callbacks, methods=["GET", "DELETE"]),
    ]
    # Runway answers in English, whatever language the console's page is in.
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(CorsExceptControl),
            Middleware(RunwayVersion),
            Middleware(EnglishOnly),
        ],
        exception_handlers={404: json_http_error, 405: json_http_error},
    )
    renderer = Renderer(store)
    app.state.sim = SimState(store, renderer, FaultBoard(), load_secret(root), speed, public_base)
    app.state.sim.callbacks = Callbacks(callback_prefix)
    return app
