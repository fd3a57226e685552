"""The simulator's HTTP surface: Runway's paths, shapes and errors, plus a control endpoint.

Served at both `/v1/...` (official style) and `/runwayml/v1/...` (relay style), so any client,
curl with a relay's documented JSON or the official SDK pointed at it, works unchanged.
"""

import asyncio
import hashlib
import hmac
import random
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.catalog import MODELS, SEED_MAX
from app.i18n import language
from app.simulator.faults import FaultBoard, FaultRule, marker_create_status, marker_outcome
from app.simulator.renderer import Renderer
from app.simulator.store import BASE_RUN_SECONDS, SimStore, SimTask
from app.validation import Invalid, prompt_images, validate_create_body

STARTING_CREDITS = 10_000
DEFAULT_OUTPUT_TTL_S = 24 * 3600.0  # Runway: 24–48 h
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


@dataclass
class SimState:
    """Everything the routes share; one per simulator app."""

    store: SimStore
    renderer: Renderer
    faults: FaultBoard
    secret: bytes
    speed: float
    public_base: str | None
    output_ttl_s: float = DEFAULT_OUTPUT_TTL_S
    counts: dict[str, int] = field(default_factory=dict)
    quirks: set[str] = field(default_factory=set)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


QUIRKS = ("error_object", "auth_403", "progress_percent", "output_string", "status_lowercase")


def _error(request: Request, status: int, message: str, **extra: Any) -> Response:
    """Runway's error shape, or a non-conforming relay's when a quirk asks for it."""
    quirks = request.app.state.sim.quirks
    if status == 401 and "auth_403" in quirks:
        return PlainTextResponse("Forbidden", status_code=403)
    if "error_object" in quirks:
        return JSONResponse(
            {"error": {"message": message, "type": "invalid_request_error"}}, status_code=status
        )
    return JSONResponse({"error": message, **extra}, status_code=status)


def _state(request: Request) -> SimState:
    return request.app.state.sim


def _authorised(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return (
        scheme.lower() == "bearer" and bool(token) and " " not in token and "invalid" not in token
    )


async def _apply_faults(state: SimState, target: str) -> Response | None:
    """Run the fault rules for this request; a response means 'answer this instead'."""
    state.counts[target] = state.counts.get(target, 0) + 1
    for rule in state.faults.take(target):
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule.kind == "drop":
            return StreamingResponse(_dropped_body(), media_type="application/json")
        if rule.kind == "malformed":
            return Response('{"id": "oops', media_type="application/json")
        if rule.kind == "html":
            page = f"<html><body><h1>{rule.status} Bad Gateway</h1><hr>nginx</body></html>"
            return Response(page, status_code=rule.status, media_type="text/html")
        if rule.kind == "status":
            headers = (
                {"Retry-After": f"{rule.retry_after:g}"} if rule.retry_after is not None else {}
            )
            message = "Too many requests" if rule.status == 429 else f"Simulated {rule.status}"
            return JSONResponse({"error": message}, status_code=rule.status, headers=headers)
    return None


async def _dropped_body() -> AsyncIterator[bytes]:
    """Half an answer, then the connection goes: what a crashing gateway does."""
    yield b'{"id": "0000", "status": "RUNN'
    raise ConnectionAbortedError("simulated dropped connection")


def output_url(state: SimState, request: Request, task_id: str) -> str:
    """A signed URL that expires, like the real service's output links."""
    expires = int(time.time() + state.output_ttl_s)
    signature = hmac.new(state.secret, f"{task_id}:{expires}".encode(), hashlib.sha256)
    base = state.public_base if state.public_base is not None else str(request.base_url)
    return (
        f"{base.rstrip('/')}/outputs/{task_id}.mp4?exp={expires}&sig={signature.hexdigest()[:32]}"
    )


def task_body(state: SimState, request: Request, task: SimTask) -> dict[str, Any]:
    status, progress = task.phase(time.time())
    if task.outcome == "SUCCEEDED" and status in ("RUNNING", "SUCCEEDED"):
        # Rendered for tasks someone watches, starting while they run: a create stays cheap
        # and a thousand unwatched tasks cost no CPU, as on a real upstream.
        state.renderer.ensure(task)
    if status == "SUCCEEDED" and not state.renderer.is_ready(task.id):
        status, progress = "RUNNING", 0.99
    body: dict[str, Any] = {"id": task.id, "status": status, "createdAt": _iso(task.created_at)}
    if status == "RUNNING":
        body["progress"] = round(min(progress, 0.99), 3)
        if "progress_percent" in state.quirks:
            body["progress"] = round(body["progress"] * 100, 1)
    elif status == "SUCCEEDED":
        url = output_url(state, request, task.id)
        body["output"] = url if "output_string" in state.quirks else [url]
    if "status_lowercase" in state.quirks:
        body["status"] = status.lower()
    elif status == "FAILED":
        body["failure"] = task.extra.get("failure", "Generation failed.")
        body["failureCode"] = task.failure_code
    return body


def _new_task(state: SimState, body: dict[str, Any]) -> SimTask:
    prompt = body.get("promptText") or ""
    outcome, code, failure = marker_outcome(prompt)
    seed = body.get("seed")
    task = SimTask(
        id=state.store.new_id(),
        created_at=time.time(),
        model=body["model"],
        ratio=body["ratio"],
        duration=body["duration"],
        seed=seed if seed is not None else random.randint(0, SEED_MAX),
        prompt=prompt,
        frames={},
        run_seconds=BASE_RUN_SECONDS / state.speed * (4 if "[sim:slow]" in prompt else 1),
        outcome=outcome,
        failure_code=code,
        throttled="[sim:throttle]" in prompt,
        extra={"failure": failure} if failure else {},
    )
    for image in prompt_images(body["promptImage"]) or []:
        position = image.get("position", "first")
        task.frames[position] = state.store.save_frame(task.id, position, image["uri"])
    return task


async def create_task(request: Request) -> Response:
    state = _state(request)
    if fault := await _apply_faults(state, "create"):
        return fault
    if not _authorised(request):
        return _error(request, 401, "Invalid API key")
    try:
        body = await request.json()
    except ValueError:
        return _error(request, 400, "Request body must be JSON")
    if not isinstance(body, dict):
        return _error(request, 400, "Request body must be a JSON object")
    try:
        validate_create_body(body)
    except Invalid as exc:
        first = exc.errors[0].field.split("[")[0].split(".")[0]
        issues = [{"path": e.field, "message": e.message} for e in exc.errors]
        return _error(request, 400, f"Invalid parameter '{first}'", issues=issues)
    if status := marker_create_status(body.get("promptText") or ""):
        headers = {"Retry-After": "5"} if status == 429 else {}
        return JSONResponse({"error": f"Simulated {status}"}, status_code=status, headers=headers)
    task = await asyncio.to_thread(_new_task, state, body)
    await asyncio.to_thread(state.store.save, task)
    return JSONResponse({"id": task.id})


async def _known_task(request: Request, target: str) -> SimTask | Response:
    """Faults, auth and the lookup every task route starts with: the task, or the answer."""
    state = _state(request)
    if fault := await _apply_faults(state, target):
        return fault
    if not _authorised(request):
        return _error(request, 401, "Invalid API key")
    task = state.store.load(request.path_params["task_id"])
    if task is None:
        return _error(request, 404, "Task not found")
    return task


async def read_task(request: Request) -> Response:
    task = await _known_task(request, "read")
    if isinstance(task, Response):
        return task
    return JSONResponse(task_body(_state(request), request, task))


async def delete_task(request: Request) -> Response:
    task = await _known_task(request, "cancel")
    if isinstance(task, Response):
        return task
    store = _state(request).store
    status, _ = task.phase(time.time())
    if status in FINAL:
        await asyncio.to_thread(store.delete, task.id)
    else:
        task.cancelled_at = time.time()
        await asyncio.to_thread(store.save, task)
    return Response(status_code=204)


async def read_organization(request: Request) -> Response:
    state = _state(request)
    if not _authorised(request):
        return _error(request, 401, "Invalid API key")
    tasks = await asyncio.to_thread(state.store.usage)
    spent = sum(MODELS[t.model].credits(t.duration) for t in tasks if t.model in MODELS)
    today = time.time() - 86_400
    per_model = {name: 0 for name in MODELS}
    for task in tasks:
        if task.created_at > today and task.model in per_model:
            per_model[task.model] += 1
    limits = {"maxConcurrentGenerations": 2, "maxDailyGenerations": 200}
    return JSONResponse(
        {
            "creditBalance": STARTING_CREDITS - spent,
            "tier": {"maxMonthlyCreditSpend": 100_000, "models": {n: limits for n in MODELS}},
            "usage": {"models": {n: {"dailyGenerations": c} for n, c in per_model.items()}},
        }
    )


async def read_output(request: Request) -> Response:
    state = _state(request)
    if fault := await _apply_faults(state, "output"):
        return fault
    task_id = request.path_params["task_id"]
    expires, signature = request.query_params.get("exp", ""), request.query_params.get("sig", "")
    expected = hmac.new(state.secret, f"{task_id}:{expires}".encode(), hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest()[:32], signature):
        return PlainTextResponse("Signature does not match", status_code=403)
    if not expires.isdigit() or int(expires) < time.time():
        return PlainTextResponse("Request has expired", status_code=403)
    path = state.store.video_path(task_id)
    if not path.exists():
        return PlainTextResponse("Not found", status_code=404)
    return FileResponse(path, media_type="video/mp4")


async def control_faults(request: Request) -> Response:
    """GET lists the switches, POST adds rules (`{"rules": [...]}`) and settings, DELETE resets."""
    state = _state(request)
    if request.method == "DELETE":
        state.faults.clear()
        state.quirks.clear()
        state.output_ttl_s = DEFAULT_OUTPUT_TTL_S
    elif request.method == "POST":
        try:
            payload = await request.json()
            for rule in payload.get("rules", []):
                state.faults.add(FaultRule(**rule))
            if "output_ttl_s" in payload:
                state.output_ttl_s = float(payload["output_ttl_s"])
            unknown = set(payload.get("quirks", [])) - set(QUIRKS)
            if unknown:
                raise ValueError(f"unknown quirks {sorted(unknown)}; known: {QUIRKS}")
            state.quirks.update(payload.get("quirks", []))
        except (ValueError, TypeError, AttributeError) as exc:
            return _error(request, 400, f"bad fault switch: {exc}")
    return JSONResponse(
        {
            "rules": state.faults.describe(),
            "output_ttl_s": state.output_ttl_s,
            "quirks": sorted(state.quirks),
        }
    )


async def read_stats(request: Request) -> Response:
    """Request counts per route, for benchmarks that check how often the console asks."""
    state = _state(request)
    if request.method == "DELETE":
        state.counts.clear()
    return JSONResponse(state.counts)


async def read_root(request: Request) -> Response:
    return JSONResponse({"service": "runway-console simulator", "docs": "/v1/image_to_video"})


def _api_routes(prefix: str) -> list[Route]:
    return [
        Route(f"{prefix}/v1/image_to_video", create_task, methods=["POST"]),
        Route(f"{prefix}/v1/tasks/{{task_id}}", read_task, methods=["GET"]),
        Route(f"{prefix}/v1/tasks/{{task_id}}", delete_task, methods=["DELETE"]),
        Route(f"{prefix}/v1/organization", read_organization, methods=["GET"]),
    ]


class EnglishOnly:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with language("en"):
            await self.app(scope, receive, send)


def load_secret(root: Path) -> bytes:
    path = root / "secret"
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_bytes()


def create_simulator_app(
    root: Path, speed: float = 1.0, public_base: str | None = None
) -> Starlette:
    """Build a simulator keeping its tasks under `root`; `public_base` prefixes output URLs."""
    store = SimStore(root)
    routes = [
        Route("/", read_root),
        *_api_routes(""),
        *_api_routes("/runwayml"),
        Route("/outputs/{task_id}.mp4", read_output, methods=["GET", "HEAD"]),
        Route("/_sim/faults", control_faults, methods=["GET", "POST", "DELETE"]),
        Route("/_sim/stats", read_stats, methods=["GET", "DELETE"]),
    ]
    # Runway answers in English, whatever language the console's page is in.
    app = Starlette(routes=routes, middleware=[Middleware(EnglishOnly)])
    renderer = Renderer(store)
    app.state.sim = SimState(store, renderer, FaultBoard(), load_secret(root), speed, public_base)
    return app
