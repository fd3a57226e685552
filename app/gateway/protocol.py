"""What every gateway answer shares with the official API and the built-in simulator: the
version header, CORS, and errors in Runway's shape even for a wrong method.

Each rule is the simulator's own (app/simulator/protocol.py), applied to the gateway's paths
only, so the accepted versions and the CORS policy have one definition:

- `/v1/...` requires a known `X-Runway-Version` (a JSON 400 otherwise); `/runwayml/v1/...`, the
  relay paths, do not, as relays ignore it. The saved videos (`/v1/media/...`) are fetched by
  URL alone (a `<video>` tag sends no headers), like Runway's outputs on their own host.
- CORS (any origin, no credentials) on the gateway's paths alone: the gateway authenticates by
  bearer token, never by cookie, so a page on another site gains nothing it could not do with
  the token it already holds. The console's cookie routes (the page, /api/, /admin) answer no
  CORS, which the CSRF defence relies on (app/web/middleware/csrf.py, docs/security.md).
"""

from fastapi import FastAPI
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from app.simulator.protocol import ApiCors, json_http_error, version_problem

PREFIXES = ("/v1", "/runwayml/v1")
MEDIA_PREFIX = "/v1/media/"


def is_gateway_path(path: str) -> bool:
    return any(path == prefix or path.startswith(f"{prefix}/") for prefix in PREFIXES)


def version_refusal(request: Request) -> Response | None:
    """The simulator's 400 for a missing or unknown version on an official-style path."""
    path = request.url.path
    if not (path == "/v1" or path.startswith("/v1/")) or path.startswith(MEDIA_PREFIX):
        return None
    problem = version_problem(request.headers.get("x-runway-version"))
    return JSONResponse({"error": problem}, 400) if problem else None


class GatewayCors(ApiCors):
    """CORS on `/v1/...` and `/runwayml/v1/...`, nowhere else in the console."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, is_gateway_path)


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    if is_gateway_path(request.url.path):
        return await json_http_error(request, exc)
    assert isinstance(exc, HTTPException)
    return await http_exception_handler(request, exc)


def install_gateway_protocol(app: FastAPI) -> None:
    """CORS and Runway's 405 for the gateway's paths; everything else keeps FastAPI's own."""
    app.add_middleware(GatewayCors)
    app.add_exception_handler(405, _method_not_allowed)
