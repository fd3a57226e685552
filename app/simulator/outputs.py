"""Output URLs: signed and expiring like the real service's, and the route that serves them."""

import hashlib
import hmac
import time

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from app.simulator.answers import apply_faults
from app.simulator.state import SimState, sim_state


def _signature(state: SimState, task_id: str, expires: str) -> str:
    digest = hmac.new(state.secret, f"{task_id}:{expires}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def output_url(state: SimState, request: Request, task_id: str) -> str:
    """A signed URL that expires, like the real service's output links."""
    expires = str(int(time.time() + state.output_ttl_s))
    base = state.public_base if state.public_base is not None else str(request.base_url)
    signature = _signature(state, task_id, expires)
    return f"{base.rstrip('/')}/outputs/{task_id}.mp4?exp={expires}&sig={signature}"


async def read_output(request: Request) -> Response:
    state = sim_state(request)
    if fault := await apply_faults(state, "output"):
        return fault
    task_id = request.path_params["task_id"]
    expires, signature = request.query_params.get("exp", ""), request.query_params.get("sig", "")
    if not hmac.compare_digest(_signature(state, task_id, expires), signature):
        return PlainTextResponse("Signature does not match", status_code=403)
    if not expires.isdigit() or int(expires) < time.time():
        return PlainTextResponse("Request has expired", status_code=403)
    path = state.store.video_path(task_id)
    if not path.exists():
        return PlainTextResponse("Not found", status_code=404)
    return FileResponse(path, media_type="video/mp4")
