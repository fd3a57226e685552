"""The steps every simulated create shares, before and after its own body checks.

Before: fault switches, the key, a JSON object. After: the notify_hook check, the marker
statuses (`[sim:429]`, `[sim:no-credits]`...), the books' say (daily cap, balance, a slot:
books.py), the task kept, its callback watched, Runway's create answer. Each
endpoint module (image_to_video, generations) only checks its body and builds its task.
"""

import asyncio
import random
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.catalog.models import SEED_MAX
from app.core.json_values import NotJson, parse_json
from app.simulator.answers import apply_faults, authorised, caller_owner, error
from app.simulator.books import NO_CREDITS
from app.simulator.callbacks import hook_refusal, watch
from app.simulator.checks import BodyRefused, Issue
from app.simulator.faults import marker_create_status, marker_no_credits, marker_outcome
from app.simulator.state import SimState
from app.simulator.store import BASE_RUN_SECONDS, SimTask


async def admitted_body(request: Request, state: SimState) -> dict[str, Any] | Response:
    """The create's JSON object, or the answer that refuses it (fault, key, not JSON)."""
    if fault := await apply_faults(state, "create"):
        return fault
    if not authorised(request):
        return error(request, 401, "Invalid API key")
    try:
        body = parse_json(await request.body())
    except NotJson as exc:
        return error(request, 400, str(exc))
    if not isinstance(body, dict):
        return error(request, 400, "Request body must be a JSON object")
    return body


def body_refused(request: Request, refused: BodyRefused) -> Response:
    """Runway's 400 for a body its checks refused, with every issue found."""
    answer = refused.answer()
    return error(request, 400, answer["error"], issues=answer["issues"])


def field_refused(request: Request, name: str, message: str) -> Response:
    """Runway's 400 for one field."""
    return body_refused(request, BodyRefused([Issue((name,), message)]))


def new_task(
    state: SimState,
    body: dict[str, Any],
    owner: str,
    *,
    ratio: str,
    duration: int,
    credits: int,
    extra: dict[str, Any],
) -> SimTask:
    """A task as every endpoint starts it: the prompt's markers decide its outcome, throttling
    and pace, a missing seed is drawn, the run time follows the simulator's speed. The endpoint
    gives what differs (ratio, duration, price, its own `extra`) and adds frames afterwards."""
    prompt = body.get("promptText") or ""
    outcome, code, failure = marker_outcome(prompt)
    seed = body.get("seed")
    return SimTask(
        id=state.store.new_id(),
        created_at=time.time(),
        model=body["model"],
        ratio=ratio,
        duration=duration,
        seed=seed if seed is not None else random.randint(0, SEED_MAX),
        prompt=prompt,
        frames={},
        run_seconds=BASE_RUN_SECONDS / state.speed * (4 if "[sim:slow]" in prompt else 1),
        outcome=outcome,
        failure_code=code,
        throttled="[sim:throttle]" in prompt,
        extra={**extra, **({"failure": failure} if failure else {})},
        credits=credits,
        owner=owner,
    )


async def start_task(
    request: Request,
    state: SimState,
    body: dict[str, Any],
    build: Callable[[SimState, dict[str, Any], str], SimTask],
) -> Response:
    """After the endpoint's own checks: keep the task and answer with its id and estimate."""
    if refusal := hook_refusal(state, request, body):
        return field_refused(request, "notify_hook", refusal)
    if status := marker_create_status(body.get("promptText") or ""):
        headers = {"Retry-After": "5"} if status == 429 else {}
        return JSONResponse({"error": f"Simulated {status}"}, status_code=status, headers=headers)
    if marker_no_credits(body.get("promptText") or ""):
        return error(request, 400, NO_CREDITS)
    owner = caller_owner(request)
    task = await asyncio.to_thread(build, state, body, owner)
    if refused := await asyncio.to_thread(state.books.admit, owner, task):
        await asyncio.to_thread(state.store.delete, task.id)  # its frames, kept by `build`
        retry = {"Retry-After": f"{refused.retry_after:.0f}"} if refused.retry_after else {}
        answer = error(request, refused.status, refused.message)
        answer.headers.update(retry)
        return answer
    watch(state, request, body, task.id)
    return JSONResponse({"id": task.id, "estimatedCost": {"credits": task.credits}})
