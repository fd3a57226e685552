"""Frames too big for a data URI go up as ephemeral uploads where the upstream takes them.

The console keeps two copies of such a frame: the one shrunk to fit Runway's 5 MB data-URI
limit (what relays get) and the image as it came (`FrameStore.read_full`). For an upstream
that takes uploads (`Upstream.takes_uploads`: the official API and the built-in simulator)
the frame goes up as the official SDK's `uploads.create_ephemeral` sends it, `POST /v1/uploads`
and then the file as multipart form data to the `uploadUrl` it names with its `fields`, and
the create names the `runway://` URI instead. The upload URL is the upstream's to choose, so
it must pass the guard for output URLs (`upload_slot`: the gateway hands it to apps by the same
rule) and is reached through the same guarded clients (`RunwayClient.client_for`).
"""

import asyncio
import copy
import time
from collections import OrderedDict
from contextvars import ContextVar
from typing import Any

import httpx

from app.catalog.validation import check_runway_uri, prompt_images
from app.core.i18n import gettext as _
from app.core.keys import Caller
from app.frames.allowance import CLIENT_SCOPE, FrameAllowance, FrameAllowanceSpent
from app.frames.refs import FrameStore, frame_sha
from app.runway.client import RunwayClient
from app.runway.endpoints import Upstream, UpstreamKind
from app.runway.exchange import Exchange, UpstreamError
from app.runway.guard import UpstreamRefused
from app.runway.outputs import output_refusal
from app.runway.upstreams import UpstreamAccess

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
NO_ROUTE = (404, 405, 501)  # how a relay without `/uploads` answers
UpFile = tuple[str, bytes, str]  # a file to send up: its name, bytes and media type


# Set while the console posts its own file (`upload`): its bytes were charged already, as a
# frame when it was kept or by UploadSlots.file, so the built-in simulator's gate (reached in
# this same task through its in-process transport) does not charge them again.
CHARGED_ALREADY: ContextVar[bool] = ContextVar("upload_charged_already", default=False)
SLOT_OWNERS_KEPT = 10_000  # slots handed out on the built-in simulator, newest kept
UNKNOWN_SENDER = "uploads:unknown"  # outside a request, which every post to the mount is in


class NoUploads(Exception):
    """The upstream is a relay that offers no uploads (relays document none)."""


async def upload_full_frames(
    client: RunwayClient,
    frames: FrameStore,
    upstream: Upstream,
    key: str | None,
    to_send: dict[str, Any],
    to_store: dict[str, Any],
    allow_private: bool = False,
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
        uri, made = await upload(
            client, upstream, key, (name, full, frame.full_media_type), allow_private
        )
        exchanges += made
        sent[index] = {**sent[index], "uri": uri}
    if isinstance(body["promptImage"], list):
        body["promptImage"] = sent
    else:
        body["promptImage"] = sent[0]["uri"]
    return body, exchanges


def upload_slot(
    answer: dict[str, Any], upstream: Upstream, allow_private: bool
) -> tuple[str, str, dict[str, str]]:
    """`POST /v1/uploads`'s answer checked: its `runway://` URI, the upload URL (which must pass
    the output guard: it is fetched here, or handed to an app), and the form's fields."""
    uri, url, fields = answer.get("runwayUri"), answer.get("uploadUrl"), answer.get("fields")
    if not (isinstance(uri, str) and check_runway_uri(uri) is None and isinstance(url, str)):
        raise UpstreamError(_("the upstream's upload answer has no runwayUri and uploadUrl"))
    refusal = output_refusal(url, upstream, allow_private)
    if refusal:
        raise UpstreamError(_("the upstream's upload URL was refused: {reason}", reason=refusal))
    form = {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}
    return uri, url, form


async def _started_slot(
    client: RunwayClient, upstream: Upstream, key: str | None, filename: str, allow_private: bool
) -> tuple[str, str, dict[str, str], Exchange]:
    """`POST /v1/uploads` and its answer checked (`upload_slot`), with the exchange made;
    NoUploads when a relay has no such route."""
    try:
        answer, started = await client.start_upload(upstream, key, filename)
    except UpstreamError as exc:
        if upstream.kind is UpstreamKind.RELAY and exc.status in NO_ROUTE:
            raise NoUploads() from None
        if exc.status is not None and exc.status < 400:  # a 200 that is not JSON: no slot
            raise UpstreamError(exc.message) from None
        raise
    return (*upload_slot(answer, upstream, allow_private), started)


async def slot_for_app(
    client: RunwayClient, upstream: Upstream, key: str | None, filename: str, allow_private: bool
) -> tuple[str, str, dict[str, str]]:
    """An upload slot for an app that posts the file itself (the gateway's `POST /v1/uploads`),
    checked as the console's own are; NoUploads when a relay has no such route."""
    uri, url, form, _started = await _started_slot(client, upstream, key, filename, allow_private)
    return uri, url, form


class UploadSlots:
    """Ephemeral uploads on a caller's upstream: a file the console sends up itself, or a slot
    for an app that then posts the file there (the gateway's `POST /v1/uploads`).

    The built-in simulator keeps what it is sent on this server, so there every file is
    charged to the daily allowance of kept bytes, as a frame is (app/frames/allowance.py): by
    `file` before it is sent, and by `admit` (the simulator's `upload_gate`) for a file an
    app posts to a slot. A relay or Runway keeps nothing here, and is charged nothing.
    """

    def __init__(
        self, client: RunwayClient, upstreams: UpstreamAccess, allowance: FrameAllowance
    ) -> None:
        self._client = client
        self._upstreams = upstreams
        self._allowance = allowance
        self._slot_owners: OrderedDict[str, str] = OrderedDict()  # the simulator's, by id

    async def slot(
        self, address: str | None, caller: Caller, filename: str
    ) -> tuple[str, str, dict[str, str]]:
        """The slot's `runway://` URI, upload URL and form fields (see `slot_for_app`); on the
        built-in simulator, the caller is remembered as the one its file is charged to."""
        upstream, key, allow_private = await _target(self._upstreams, address, caller)
        uri, url, form = await slot_for_app(self._client, upstream, key, filename, allow_private)
        if upstream.kind is UpstreamKind.SIMULATOR:
            self._slot_owners[uri.rpartition("/")[2]] = caller.owner
            while len(self._slot_owners) > SLOT_OWNERS_KEPT:
                self._slot_owners.popitem(last=False)
        return uri, url, form

    async def file(
        self, address: str | None, caller: Caller, file: UpFile, paid: bool = False
    ) -> str:
        """A file sent up to the caller's upstream by `upload` (as a frame too large for a
        data URI is): its `runway://` URI. On the built-in simulator it is first charged to
        the caller's day (FrameAllowanceSpent past it, nothing sent) unless `paid` (a stored
        frame, charged when it was kept), and refunded if it does not get there."""
        upstream, key, allow_private = await _target(self._upstreams, address, caller)
        size = 0 if paid or upstream.kind is not UpstreamKind.SIMULATOR else len(file[1])
        charged = await self._allowance.charge(caller.owner, size)
        try:
            uri, _made = await upload(self._client, upstream, key, file, allow_private)
        except BaseException:
            await self._allowance.refund(charged, size)
            raise
        return uri

    async def admit(self, upload_id: str, size: int) -> str | None:
        """The built-in simulator's `upload_gate`: why a file posted to one of its slots may
        not be kept (the allowance's sentence), or None once it is charged. A file the console
        sends itself was charged already; one for a slot this console did not hand out (the
        simulator's own `/v1/uploads`, another replica's) is charged to its address alone."""
        if CHARGED_ALREADY.get():
            return None
        owner = self._slot_owners.get(upload_id) or CLIENT_SCOPE.get() or UNKNOWN_SENDER
        try:
            await self._allowance.charge(owner, size)
        except FrameAllowanceSpent as exc:
            return str(exc)
        self._slot_owners.pop(upload_id, None)
        return None


async def upload(
    client: RunwayClient,
    upstream: Upstream,
    key: str | None,
    file: UpFile,
    allow_private: bool = False,
) -> tuple[str, list[Exchange]]:
    """One ephemeral upload of `file` (name, bytes, media type); its `runway://` URI, or
    UpstreamError saying which step failed (NoUploads: a relay without the route). The one
    way up for a frame too big for a data URI and for a file the form's media field was
    given (UploadSlots.file)."""
    filename, data, media_type = file
    uri, url, form, started = await _started_slot(client, upstream, key, filename, allow_private)
    http, target = client.client_for(upstream, url, "/uploads/")
    began = time.perf_counter()
    charged_already = CHARGED_ALREADY.set(True)
    try:
        response = await http.post(target, data=form, files={"file": (filename, data, media_type)})
    except UpstreamRefused as exc:
        raise UpstreamError(str(exc)) from None
    except httpx.HTTPError as exc:
        message = _("the upload failed: {detail}", detail=type(exc).__name__)
        raise UpstreamError(message, retryable=True) from None
    finally:
        CHARGED_ALREADY.reset(charged_already)
    elapsed = (time.perf_counter() - began) * 1000
    sent = Exchange("POST", url.split("?")[0], response.status_code, elapsed, response.text[:2000])
    if not response.is_success:
        message = _("the upload failed: HTTP {status}", status=response.status_code)
        raise UpstreamError(message, status=response.status_code, exchange=sent)
    return uri, [started, sent]


async def _target(
    upstreams: UpstreamAccess, address: str | None, caller: Caller
) -> tuple[Upstream, str | None, bool]:
    """The caller's upstream for an address (refused as a `baseUrl` field error), its key,
    and whether private addresses are allowed."""
    upstream = await upstreams.resolve(address)
    return upstream, upstreams.key_for(upstream, caller), upstreams.policy.allow_private
