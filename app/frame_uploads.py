"""Frames too big for a data URI go up as ephemeral uploads where the upstream takes them.

The console keeps two copies of such a frame: the one shrunk to fit Runway's 5 MB data-URI
limit (what relays get) and the image as it came (`FrameStore.read_full`). For an upstream
that takes uploads (`Upstream.takes_uploads`: the official API and the built-in simulator)
the frame goes up as the official SDK's `uploads.create_ephemeral` sends it, `POST /v1/uploads`
and then the file as multipart form data to the `uploadUrl` it names with its `fields`, and
the create names the `runway://` URI instead. The upload URL is the upstream's to choose, so
it is reached through the same guard as output URLs (`RunwayClient.client_for`).
"""

import asyncio
import copy
import time
from typing import Any

import httpx

from app.frames import FrameStore, frame_sha
from app.i18n import gettext as _
from app.runway.client import RunwayClient
from app.runway.endpoints import Upstream
from app.runway.exchange import Exchange, UpstreamError
from app.runway.guard import UpstreamRefused
from app.validation import prompt_images

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


async def upload_full_frames(
    client: RunwayClient,
    frames: FrameStore,
    upstream: Upstream,
    key: str | None,
    to_send: dict[str, Any],
    to_store: dict[str, Any],
) -> tuple[dict[str, Any], list[Exchange]]:
    """The body with each kept full-size frame as an uploaded `runway://` URI, and the
    upstream calls made; unchanged for an upstream without uploads."""
    stored = prompt_images(to_store.get("promptImage")) or []
    if not upstream.takes_uploads or not stored:
        return to_send, []
    body = copy.deepcopy(to_send)
    sent = prompt_images(body.get("promptImage")) or []
    exchanges: list[Exchange] = []
    for index, image in enumerate(stored):
        sha = frame_sha(image.get("uri"))
        frame = await asyncio.to_thread(frames.get, sha) if sha else None
        full = await asyncio.to_thread(frames.read_full, frame) if frame else None
        if frame is None or full is None:
            continue
        name = f"{frame.sha256[:16]}.{EXTENSIONS[frame.full_media_type]}"
        uri, made = await upload(client, upstream, key, name, full, frame.full_media_type)
        exchanges += made
        sent[index] = {**sent[index], "uri": uri}
    if isinstance(body["promptImage"], list):
        body["promptImage"] = sent
    else:
        body["promptImage"] = sent[0]["uri"]
    return body, exchanges


async def upload(
    client: RunwayClient,
    upstream: Upstream,
    key: str | None,
    filename: str,
    data: bytes,
    media_type: str,
) -> tuple[str, list[Exchange]]:
    """One ephemeral upload; its `runway://` URI, or UpstreamError saying which step failed."""
    answer, started = await client.start_upload(upstream, key, filename)
    uri, url, fields = answer.get("runwayUri"), answer.get("uploadUrl"), answer.get("fields")
    if not (isinstance(uri, str) and uri.startswith("runway://") and isinstance(url, str)):
        raise UpstreamError(_("the upstream's upload answer has no runwayUri and uploadUrl"))
    form = {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}
    http, target = client.client_for(upstream, url, "/uploads/")
    began = time.perf_counter()
    try:
        response = await http.post(target, data=form, files={"file": (filename, data, media_type)})
    except UpstreamRefused as exc:
        raise UpstreamError(str(exc)) from None
    except httpx.HTTPError as exc:
        message = _("the upload failed: {detail}", detail=type(exc).__name__)
        raise UpstreamError(message, retryable=True) from None
    elapsed = (time.perf_counter() - began) * 1000
    sent = Exchange("POST", url.split("?")[0], response.status_code, elapsed, response.text[:2000])
    if not response.is_success:
        message = _("the upload failed: HTTP {status}", status=response.status_code)
        raise UpstreamError(message, status=response.status_code, exchange=sent)
    return uri, [started, sent]
