"""How the simulator answers when it does not answer normally: errors, auth and fault switches."""

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from app.simulator.state import SimState, sim_state


def error(request: Request, status: int, message: str, **extra: Any) -> Response:
    """Runway's error shape, or a non-conforming relay's when a quirk asks for it."""
    quirks = sim_state(request).quirks
    if status == 401 and "auth_403" in quirks:
        return PlainTextResponse("Forbidden", status_code=403)
    if "error_object" in quirks:
        return JSONResponse(
            {"error": {"message": message, "type": "invalid_request_error"}}, status_code=status
        )
    return JSONResponse({"error": message, **extra}, status_code=status)


def authorised(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return (
        scheme.lower() == "bearer" and bool(token) and " " not in token and "invalid" not in token
    )


def caller_owner(request: Request) -> str:
    """Whose task this is: an HMAC of the bearer key, so the key itself is never stored. Tasks
    are scoped to it: another key neither reads, deletes nor gets output URLs for them."""
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    return owner_of(sim_state(request).secret, token)


def owner_of(secret: bytes, token: str) -> str:
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()[:32]


async def apply_faults(
    state: SimState, target: str, pace: list[float] | None = None
) -> Response | None:
    """Run the fault rules for this request; a response means 'answer this instead'.

    A `slow` rule cannot answer for a route (only the route has the body): it adds its pause
    between pieces to `pace` when the route streams (the outputs), else it is plain latency."""
    state.counts[target] = state.counts.get(target, 0) + 1
    for rule in state.faults.take(target):
        if rule.kind == "slow" and pace is not None:
            pace.append(rule.latency_ms / 1000)
            continue
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
