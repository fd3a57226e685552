"""The tester's tools around a task: its code, the account panel, the relay check."""

import asyncio

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from app.catalog.credits import cheapest_task
from app.core.keys import member_name
from app.core.transcript import shorten_data_uris_in_text
from app.frames.refs import frame_refs, inline_frames
from app.runway.endpoints import Upstream, UpstreamKind, resolve_upstream
from app.runway.snippets import LANGUAGES, snippet
from app.team.account import member_account
from app.team.members import TOKEN_PREFIX
from app.web.deps import (
    AccountsDep,
    CallerDep,
    FramesDep,
    RelayCheckDep,
    ServiceDep,
    public_base,
    services,
)
from app.web.refusals import REFUSALS, refusal
from app.web.render import render
from app.web.roles import session_member

router = APIRouter()


@router.get("/tasks/{task_id}/code/{language}")
async def task_code(
    request: Request,
    task_id: str,
    language: str,
    service: ServiceDep,
    frames: FramesDep,
    caller: CallerDep,
    key: str = "env",
) -> Response:
    """The task's create and read as code, body in full so it runs as it is; the page's view
    asks for JSON and gets the code with its data URIs shortened beside it."""
    record = await service.get(task_id, caller, refresh=False)
    if record is None or language not in LANGUAGES:
        raise HTTPException(404)
    upstream = resolve_upstream(record.base_url)
    api_root, mask, read_id = upstream.api_root, record.key_mask, record.upstream_task_id
    if upstream.kind is UpstreamKind.SIMULATOR:
        api_root = str(request.base_url).rstrip("/") + "/simulator/v1"
    if member_name(record.owner) is not None:
        # A member has no key of the upstream's, only their token: their code calls the gateway,
        # which speaks the official API (version header and all) and knows the console's id.
        api_root, mask, read_id = public_base(request) + "/v1", TOKEN_PREFIX + "…", record.id
        upstream = Upstream(UpstreamKind.OFFICIAL, public_base(request), api_root)
    # The task's own frames: it is the caller's, so they are too.
    own = frame_refs(record.request)
    body, _ = await asyncio.to_thread(inline_frames, frames, record.request, own)
    text = snippet(
        language,
        upstream,
        api_root,
        body,
        read_id,
        "masked" if key == "masked" else "env",
        mask,
        record.endpoint,
    )
    if text is None:
        raise HTTPException(404, f"the official SDK does not know {record.model}")
    vary = {"Vary": "Accept"}
    if "application/json" in request.headers.get("accept", ""):  # the page's code view
        shown = shorten_data_uris_in_text(text)
        return JSONResponse({"code": text, "shown": shown}, headers=vary)
    return PlainTextResponse(text, headers=vary)


@router.get("/account")
async def account_panel(
    request: Request, accounts: AccountsDep, caller: CallerDep, baseUrl: str = "", model: str = ""
) -> Response:
    """Credits and daily limits for the address and key in use (official API and simulator)."""
    context: dict[str, object] = {
        "account": None,
        "error": None,
        "model": model,
        "cheapest": cheapest_task(model),
    }
    if (member := session_member(request)) is not None:  # their own day, not the organisation's
        state = services(request)
        context["member_account"] = await member_account(state.members, state.usage, member)
        return render(request, "console/_account.html", context)
    try:
        context["account"] = await accounts.organization(baseUrl or None, caller)
    except REFUSALS as exc:
        return refusal(request, exc, panel="console/_account.html", context=context)
    return render(request, "console/_account.html", context)


@router.post("/relay-check")
async def relay_check(request: Request, check: RelayCheckDep, caller: CallerDep) -> Response:
    """Probe the address in the form and report where it differs from the official API."""
    form = await request.form()
    address = str(form.get("baseUrl") or "") or None
    context: dict[str, object] = {"report": None, "error": None}
    try:
        tiny, hook = form.get("tiny") == "1", form.get("hook") == "1"
        report = context["report"] = await check.check(address, caller, tiny, hook)
    except REFUSALS as exc:
        return refusal(request, exc, panel="console/_relay_report.html", context=context)
    # A tiny task was made (and spent credits): history and the account panel catch up, as
    # after any other create.
    headers = {"HX-Trigger": "taskChanged"} if report.task_id else None
    return render(request, "console/_relay_report.html", context, headers=headers)
