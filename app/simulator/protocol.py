"""What every answer shares, whatever the route: the API version header, CORS, and JSON errors
for routes and methods the simulator does not have.

- The official API requires `X-Runway-Version` on `/v1/...` and answers 400 without it or with
  a version it does not know; the SDKs always send it. Relay paths (`/runwayml/v1/...`) do not
  need it: relays ignore it.
- Browser clients of relays call them straight from the page, so the API, its outputs and the
  root answer CORS (any origin; no cookies are involved, the key travels in `Authorization`).
  The control endpoints (`/_sim/...`) do not: a page on another origin must not be able to read
  or switch them.
"""

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

VERSIONS = ("2024-11-06",)
CONTROL_PREFIX = "/_sim"


def route_path(scope: Scope) -> str:
    """The path inside this app, also when it is mounted (the console serves it at /simulator)."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def version_problem(value: str | None) -> str | None:
    if value is None:
        return f"The X-Runway-Version header is required. Use {VERSIONS[-1]}."
    if value not in VERSIONS:
        return f"Unsupported X-Runway-Version '{value[:40]}'. Supported: {', '.join(VERSIONS)}."
    return None


class RunwayVersion:
    """Refuse an official-style request (`/v1/...`) without a known API version, as Runway does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope) if scope["type"] == "http" else ""
        if path == "/v1" or path.startswith("/v1/"):
            headers = dict(scope["headers"])
            raw = headers.get(b"x-runway-version")
            problem = version_problem(None if raw is None else raw.decode("latin-1"))
            if problem:
                await JSONResponse({"error": problem}, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ApiCors:
    """CORS for an API that authenticates by `Authorization` alone, on the paths `covers`
    accepts: any origin, never credentials, a preflight that echoes the headers asked for.
    The console's gateway uses it too (app/gateway/protocol.py), on its own paths only."""

    def __init__(self, app: ASGIApp, covers: Callable[[str], bool]) -> None:
        self.app = app
        self.covers = covers
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "DELETE", "HEAD", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=["Retry-After", "Content-Length", "Content-Range"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.covers(route_path(scope)):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class CorsExceptControl(ApiCors):
    """CORS for the API and outputs; none for the control endpoints."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, lambda path: not path.startswith(CONTROL_PREFIX))


async def json_http_error(request: Request, exc: Exception) -> JSONResponse:
    """Unknown routes and wrong methods answer JSON, like the rest of the API."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    messages = {404: "Not found", 405: "Method not allowed"}
    headers = getattr(exc, "headers", None)
    return JSONResponse(
        {"error": messages.get(status, "Error")}, status_code=status, headers=headers
    )
