"""`POST /v1/uploads` at the gateway: the SDK's `uploads.create_ephemeral` through the console.

The SDK asks here for a slot, posts the file itself to the `uploadUrl` it is given (with the
`fields`), and names the `runway://` URI in a create. The console asks its upstream for the slot
under the caller's key or the operator's, as for a create, and checks the answer as it checks
the slots of its own uploads (`frame_uploads.upload_slot`: a sane `runway://` URI, an upload URL
the output guard allows). The file never passes through this route, and a slot costs nothing, so
no budget is held. The built-in simulator's upload URL is a path on its mount here: it is made
absolute, since the app posts to it from wherever it runs.
"""

from typing import Any

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.responses import Response

from app.catalog.validation import FieldError, Invalid
from app.core.json_values import NotJson, parse_json
from app.frames.uploads import NoUploads
from app.gateway.auth import GatewayCaller, GatewayRefusal
from app.web.deps import public_base, services
from app.web.public_url import absolute_url

MAX_BODY_BYTES = 16 * 1024  # `{filename, type}`: the SDK's is well under 1 KB
MAX_FILENAME = 255
NO_UPLOADS = (
    "This console's upstream is a relay that offers no uploads: send the image as an https URL "
    "or a data URI instead of a runway:// URI"
)


async def _bounded_json(request: Request) -> dict[str, Any]:
    """The JSON object the request carries, read no further than MAX_BODY_BYTES."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise GatewayRefusal(413, f"Request body over {MAX_BODY_BYTES // 1024} KB")
    try:
        data = parse_json(bytes(body))
    except NotJson as exc:
        raise GatewayRefusal(400, str(exc)) from None
    if not isinstance(data, dict):
        raise GatewayRefusal(400, "Request body must be a JSON object")
    return data


def _filename(body: dict[str, Any]) -> str:
    """The file's name as the SDK sends it, or Invalid naming the field (Runway's 400)."""
    name = body.get("filename")
    if not isinstance(name, str) or not 0 < len(name) <= MAX_FILENAME:
        problem = f"Expected a file name of 1 to {MAX_FILENAME} characters"
        raise Invalid([FieldError("filename", problem)])
    if any(ord(char) < 32 or char == "\x7f" for char in name):
        raise Invalid([FieldError("filename", "Expected a file name without control characters")])
    if body.get("type", "ephemeral") != "ephemeral":
        raise Invalid([FieldError("type", "Expected 'ephemeral'")])
    return name


async def upload_slot_answer(request: Request, who: GatewayCaller) -> Response:
    """`POST /v1/uploads`'s answer, `{runwayUri, uploadUrl, fields}` as the SDK's type declares
    (run inside the gateway's `answer`, which turns refusals into Runway's error shape)."""
    filename = _filename(await _bounded_json(request))
    try:
        uri, url, fields = await services(request).running.upload_slots.slot(
            who.address, who.caller, filename
        )
    except NoUploads:
        raise GatewayRefusal(404, NO_UPLOADS) from None
    url = absolute_url(public_base(request), url)
    return JSONResponse({"runwayUri": uri, "uploadUrl": url, "fields": fields})
