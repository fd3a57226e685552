"""`POST /hooks/<token>`: where a relay's notify_hook callback lands (app/tasks/hook_receiver.py).

Open without the password and without CSRF (a relay can do neither; app/web/middleware/access.py and
app/web/middleware/csrf.py list the prefix): the unguessable token is the credential. Bodies past
64 KB
are refused with 413 before they are read whole.
"""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.callbacks.hooks import HOOK_PATH, MAX_BODY_BYTES
from app.web.deps import ReceiverDep

router = APIRouter(include_in_schema=False)
TOO_LARGE = JSONResponse({"detail": "body over 64 KB"}, status_code=413)


@router.post(HOOK_PATH + "{token}")
async def receive_hook(token: str, request: Request, receiver: ReceiverDep) -> JSONResponse:
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        return TOO_LARGE
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            return TOO_LARGE
    outcome = await receiver.receive(token[:100], request.headers.items(), bytes(body))
    return JSONResponse({"detail": outcome.reason}, status_code=outcome.status)
