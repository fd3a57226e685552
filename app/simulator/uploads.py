"""Ephemeral uploads, as the official SDK's `client.uploads.create_ephemeral` does them.

`POST /v1/uploads` with `{filename, type: "ephemeral"}` answers `{runwayUri, uploadUrl,
fields}`; the client then POSTs the file as multipart form data to `uploadUrl` with `fields`
(a storage bucket's signed form, as on S3), and `runwayUri` stands for the file in any create:
`promptImage`, `referenceImages`, `videoUri`. Files are kept in the data dir for a day.
"""

import hashlib
import hmac
import time
import uuid

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from app.core.secret_compare import same_secret
from app.simulator.creating import admitted_body, field_refused
from app.simulator.state import SimState, sim_state, url_base
from app.simulator.upload_store import URI, save_upload, sweep_expired

UPLOAD_TTL_S = 24 * 3600.0  # runway:// URIs are valid for 24 hours
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


def _signature(state: SimState, upload_id: str, expires: str) -> str:
    digest = hmac.new(state.secret, f"upload:{upload_id}:{expires}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


async def create_upload(request: Request) -> Response:
    """`POST /v1/uploads`: a slot for one file, with the signed form the file goes up with."""
    state = sim_state(request)
    body = await admitted_body(request, state)
    if isinstance(body, Response):
        return body
    filename = body.get("filename")
    if not isinstance(filename, str) or not 0 < len(filename) <= 255:
        return field_refused(request, "filename", "Expected a file name of 1 to 255 characters")
    if body.get("type", "ephemeral") != "ephemeral":
        return field_refused(request, "type", "Expected 'ephemeral'")
    sweep_expired(state.store.root)
    upload_id = str(uuid.uuid4())
    expires = str(int(time.time() + UPLOAD_TTL_S))
    base = url_base(state, request)
    return JSONResponse(
        {
            "runwayUri": f"runway://uploads/{upload_id}",
            "uploadUrl": f"{base.rstrip('/')}/uploads/{upload_id}",
            "fields": {
                "key": upload_id,
                "expires": expires,
                "signature": _signature(state, upload_id, expires),
            },
        }
    )


async def receive_upload(request: Request) -> Response:
    """`POST /uploads/{id}`: the signed multipart form with the file, answered 204 as a bucket
        does. A wrong or expired signature is 403; a file over the limit, or past the console's
    daily allowance of kept bytes (`upload_gate`), is 413 and not kept."""
    state = sim_state(request)
    upload_id = request.path_params["upload_id"]
    async with request.form(max_files=1, max_fields=20) as form:
        expires, signature = str(form.get("expires", "")), str(form.get("signature", ""))
        valid = form.get("key") == upload_id and same_secret(
            signature, _signature(state, upload_id, expires)
        )
        if not valid or URI.match(f"runway://uploads/{upload_id}") is None:
            return PlainTextResponse("Signature does not match", status_code=403)
        if not expires.isdigit() or int(expires) < time.time():
            return PlainTextResponse("Request has expired", status_code=403)
        file = form.get("file")
        if not isinstance(file, UploadFile):
            return PlainTextResponse("The form has no file", status_code=400)
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            return PlainTextResponse("Your proposed upload exceeds the maximum", status_code=413)
        meta = {"filename": file.filename, "type": file.content_type, "expires": int(expires)}
    if state.upload_gate is not None and (refusal := await state.upload_gate(upload_id, len(data))):
        return PlainTextResponse(refusal, status_code=413)  # nothing kept
    save_upload(state.store.root, upload_id, data, meta)
    return Response(status_code=204)
