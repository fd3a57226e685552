"""Output URLs: signed and expiring like the real service's, and the route that serves them.

What "scoped to a key" means for an output: the URL is a capability, as Runway's signed links
are. A `<video>` element cannot send an API key, so whoever holds an unexpired URL may fetch
it; but only the task's own key can read the task and so get one (another key's read is 404),
the signature covers the task id, its owner and the expiry (a URL cannot be turned into one for
another task, another key's task included), and a deleted task's URL stops working at once.
"""

import asyncio
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse

from app.core.secret_compare import same_secret
from app.simulator.answers import apply_faults
from app.simulator.audio_outputs import MEDIA_TYPES as AUDIO_TYPES
from app.simulator.renderer import output_suffix
from app.simulator.state import SimState, sim_state, url_base
from app.simulator.store import SimTask


def _signature(state: SimState, task_id: str, owner: str, expires: str) -> str:
    message = f"{task_id}:{owner}:{expires}".encode()
    return hmac.new(state.secret, message, hashlib.sha256).hexdigest()[:32]


TRICKLE_BYTES = 16 * 1024
MEDIA_TYPES = {"mp4": "video/mp4", "png": "image/png", **AUDIO_TYPES}


def output_url(state: SimState, request: Request, task: SimTask) -> str:
    """A signed URL that expires, like the real service's output links."""
    expires = str(int(time.time() + state.output_ttl_s))
    base = url_base(state, request)
    signature = _signature(state, task.id, task.owner, expires)
    suffix = output_suffix(task)
    return f"{base.rstrip('/')}/outputs/{task.id}.{suffix}?exp={expires}&sig={signature}"


async def read_output(request: Request) -> Response:
    state = sim_state(request)
    pace: list[float] = []
    if fault := await apply_faults(state, "output", pace):
        return fault
    task_id = request.path_params["task_id"]
    expires, signature = request.query_params.get("exp", ""), request.query_params.get("sig", "")
    task = state.store.load(task_id)
    if task is None:
        return PlainTextResponse("Not found", status_code=404)
    if not same_secret(signature, _signature(state, task_id, task.owner, expires)):
        return PlainTextResponse("Signature does not match", status_code=403)
    if not expires.isdigit() or int(expires) < time.time():
        return PlainTextResponse("Request has expired", status_code=403)
    suffix = request.path_params.get("suffix", "mp4")
    path = state.store.outputs_dir / f"{task_id}.{suffix}"
    if suffix not in MEDIA_TYPES or not path.exists():
        return PlainTextResponse("Not found", status_code=404)
    if pace:
        return StreamingResponse(
            _trickle(path, max(pace)),
            media_type=MEDIA_TYPES[suffix],
            headers={"Content-Length": str(path.stat().st_size)},
        )
    return FileResponse(path, media_type=MEDIA_TYPES[suffix])


async def _trickle(path: Path, pause_s: float) -> AsyncIterator[bytes]:
    """The file in small pieces with a pause after each: a slow link, so a download can be
    caught (and killed) part-way."""
    with path.open("rb") as handle:
        while piece := handle.read(TRICKLE_BYTES):
            yield piece
            await asyncio.sleep(pause_s)
