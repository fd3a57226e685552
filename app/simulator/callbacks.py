"""`notify_hook`: on the relay paths, the simulator POSTs a task's final JSON to the hook.

Relays document `notify_hook` ("callback address, optional") and call it when a task ends; a
tester wants to see whether it fires, when and with what. A create on `/runwayml/v1/...` with a
hook starts a watcher that waits for the task to end (rendering it, as a poll would), then
POSTs the same object `GET /tasks/{id}` returns, with a short timeout and a few retries with
backoff. Fault switches with target `callback` make it late (`latency`), failing (`status` or
`drop`: every try fails, as if the relay's own call did, so the retries and their backoff show
in the log and nothing arrives), `duplicate`, `malformed` (half the JSON) or `html` (an error
page instead of JSON).

Where it may call: the standalone simulator calls any http(s) URL (it is a test tool on the
tester's machine); a simulator inside the console calls only the console's own receiver, and
refuses other hooks at create. Inside the console it also calls back for the built-in upstream
(the official paths), so "receive the callback here" can be rehearsed with no relay; and it
posts through the console's own app (`transport`), not the network. Deliveries are listed at
`GET /_sim/callbacks`.
"""

import asyncio
import json
import time
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.runway.status import FINAL_STATUSES
from app.simulator.hook_book import Callbacks
from app.simulator.state import SimState, sim_state
from app.simulator.tasks import task_body

TIMEOUT_S = 5.0
BACKOFF_S = (0.5, 1.0, 2.0)  # waits before the retries: four tries in all
WATCH_INTERVAL_S = 0.2
RELAY_PREFIX = "/runwayml/"


def on_relay_path(request: Request) -> bool:
    """A mounted simulator sees its mount point in the path (`/simulator/runwayml/…`)."""
    path = request.scope["path"].removeprefix(request.scope.get("root_path", ""))
    return path.startswith(RELAY_PREFIX)


def hook_refusal(state: SimState, request: Request, body: dict[str, Any]) -> str | None:
    """Checked at create: a hook on a relay path must be one this simulator may call."""
    hook = body.get("notify_hook")
    callbacks = state.callbacks
    if not isinstance(hook, str) or callbacks is None or callbacks.allowed_prefix is None:
        return None
    if not on_relay_path(request):
        return None  # the official API has no notify_hook; it is ignored there
    return callbacks.refusal(hook)


def watch(state: SimState, request: Request, body: dict[str, Any], task_id: str) -> None:
    """After a create: call the hook when the task ends (relay paths, callbacks on)."""
    hook = body.get("notify_hook")
    callbacks = state.callbacks
    if not isinstance(hook, str) or callbacks is None or callbacks.allowed_prefix is None:
        return
    if not on_relay_path(request) and not callbacks.calls_on_official_paths(hook):
        return
    watcher = asyncio.get_running_loop().create_task(_deliver(state, request, task_id, hook))
    callbacks.watchers.add(watcher)
    watcher.add_done_callback(callbacks.watchers.discard)


async def _final_body(state: SimState, request: Request, task_id: str) -> dict[str, Any] | None:
    """The task's JSON once it is final; None if it was deleted first."""
    while True:
        task = await asyncio.to_thread(state.store.load, task_id)
        if task is None:
            return None
        body = task_body(state, request, task)
        if str(body["status"]).upper() in FINAL_STATUSES:
            return body
        await asyncio.sleep(WATCH_INTERVAL_S)


async def _deliver(state: SimState, request: Request, task_id: str, hook: str) -> None:
    body = await _final_body(state, request, task_id)
    if body is None:
        return
    ended = time.time()
    entry: dict[str, Any] = {"taskId": task_id, "url": hook, "attempts": [], "delivered": 0}
    assert state.callbacks is not None
    state.callbacks.log.append(entry)
    payload = json.dumps(body).encode()
    copies, failing = 1, None
    for rule in state.faults.take("callback"):
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule.kind in ("status", "drop"):
            failing = f"not sent: simulated {rule.status if rule.kind == 'status' else 'drop'}"
        if rule.kind == "malformed":
            payload = payload[: len(payload) // 2]
        if rule.kind == "html":
            payload = f"<html><body><h1>{rule.status} Bad Gateway</h1></body></html>".encode()
        if rule.kind == "duplicate":
            copies = 2
    for _ in range(copies):
        if await _post(state.callbacks, hook, payload, entry, ended, failing):
            entry["delivered"] += 1


async def _post(
    callbacks: Callbacks,
    hook: str,
    payload: bytes,
    entry: dict[str, Any],
    ended: float,
    failing: str | None,
) -> bool:
    """One delivery: up to four tries, backing off, until the receiver answers 2xx."""
    headers = {"Content-Type": "application/json", "User-Agent": "runway-console-simulator"}
    async with httpx.AsyncClient(
        transport=callbacks.transport, timeout=TIMEOUT_S, follow_redirects=False
    ) as client:
        for wait in (0.0, *BACKOFF_S):
            await asyncio.sleep(wait)
            if failing:
                entry["attempts"].append(_attempt(ended, error=failing))
                continue
            try:
                answer = await client.post(hook, content=payload, headers=headers)
            except httpx.HTTPError as exc:
                entry["attempts"].append(_attempt(ended, error=type(exc).__name__))
                continue
            entry["attempts"].append(_attempt(ended, status=answer.status_code))
            if answer.is_success:
                return True
    return False


def _attempt(ended: float, status: int | None = None, error: str | None = None) -> dict[str, Any]:
    now = time.time()
    return {"at": now, "afterEndS": round(now - ended, 3), "status": status, "error": error}


async def read_callbacks(request: Request) -> Response:
    """`GET /_sim/callbacks`: every delivery so far; `DELETE` forgets them."""
    callbacks = sim_state(request).callbacks
    if callbacks is None:
        return JSONResponse({"allowedPrefix": None, "deliveries": []})
    if request.method == "DELETE":
        callbacks.log.clear()
    return JSONResponse({"allowedPrefix": callbacks.allowed_prefix, "deliveries": callbacks.log})
