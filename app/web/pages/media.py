"""The form's media fields: a file sent up as an ephemeral upload, or a previous task's output.

A schema media field (`x-media`: image, video, audio) takes an https URL, a `runway://` upload
or a task's output URL as text; these routes fill it the other two ways. A file is checked
against the field's kinds and size limit (app/frames/media_kinds.py, which the page checked
first), then its first bytes must be of one of those kinds, whatever its name says; it goes to
the form's API address as the official SDK's `uploads.create_ephemeral` sends it, by the same
code as a frame too large for a data URI (UploadSlots.file);
the field comes back holding its `runway://` URI. Nothing is kept here: a refused file leaves
nothing behind, and its error names the field as the schema does. A previous output goes in
as its URL while that works for the form's address, else as its saved copy sent up the same
way (app/web/handoff.py decides); one with neither is not offered.
"""

import time
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response

from app.catalog.endpoints import ENDPOINTS, FORM_MODES
from app.core.i18n import gettext as _
from app.frames.media_kinds import file_problem, kind_of_upload, kind_problem
from app.web.deps import CallerDep, MediaDep, ServiceDep, SettingsDep, UploadSlotsDep
from app.web.forms import FormState
from app.web.handoff import GONE, UPLOAD_FAILURES, Handoff, copy_up, handoff, upload_refusal
from app.web.render import render
from app.web.schema_form import SchemaField, media_field, union_tag

router = APIRouter()
RECENT_OUTPUTS = 8  # the previous outputs a field offers
LOOKED_AT = 60  # the caller's latest succeeded tasks they are picked from


def _field(endpoint: str, model: str, path: str) -> tuple[FormState, SchemaField]:
    """The form (in `endpoint`'s mode, on `model`) and its media field at `path`; 404 else."""
    if endpoint not in FORM_MODES or not ENDPOINTS[endpoint].schema_checked:
        raise HTTPException(404)
    state = FormState(endpoint=endpoint, model=model)
    state.fit_to_model()
    field = media_field(endpoint, state.model_info.name, path)
    if field is None or state.model_info.name != model:
        raise HTTPException(404)
    return state, field


def _answer(request: Request, state: FormState, field: SchemaField, **context: object) -> Response:
    return render(request, "console/_schema_field.html", {"form": state, "f": field, **context})


@router.post("/form/media")
async def upload_media(
    request: Request,
    uploads: UploadSlotsDep,
    caller: CallerDep,
    settings: SettingsDep,
    file: UploadFile,
    endpoint: str,
    model: str,
    path: str,
    baseUrl: Annotated[str, Form()] = "",
) -> Response:
    """A file for one media field, sent up as an ephemeral upload; the field filled with its
    `runway://` URI, or holding the reason it was refused."""
    state, field = _field(endpoint, model, path)
    name, media_type = file.filename or "upload", file.content_type or ""
    size = file.size or 0
    problem = file_problem(field.media, media_type, name, size, settings.max_upload_mb)
    if problem:
        return _answer(request, state, field, media_error=problem)
    data = await file.read()
    kind = kind_of_upload(field.media, media_type, name, data)  # the bytes, not the name
    if kind is None:
        return _answer(request, state, field, media_error=kind_problem(field.media))
    try:
        uri = await uploads.file(baseUrl.strip() or None, caller, (name, data, media_type))
    except UPLOAD_FAILURES as exc:
        return _answer(request, state, field, media_error=upload_refusal(exc))
    note = _("{name} ({size} KB) uploaded as {uri}", name=name, size=len(data) // 1024, uri=uri)
    return _filled(request, state, field, uri, kind.name, note)


def _filled(
    request: Request, state: FormState, field: SchemaField, value: str, kind: str, note: str
) -> Response:
    """The field holding `value`, a `kind` of media (its union's `type` follows it)."""
    state.values[field.path] = value
    tag = union_tag(state.endpoint, state.model_info.name, field, kind)
    context = {"media_note": note, "filled_kind": kind if tag is not None else ""}
    return _answer(request, state, field, **context)


@router.post("/form/media/output")
async def use_output(
    request: Request,
    service: ServiceDep,
    uploads: UploadSlotsDep,
    media: MediaDep,
    caller: CallerDep,
    endpoint: str,
    model: str,
    path: str,
    task: Annotated[str, Form()],
    baseUrl: Annotated[str, Form()] = "",
) -> Response:
    """One of the caller's outputs put in the field as its saved copy, sent up to the form's
    address (its link there may not work: app/web/handoff.py); 404 for a task not theirs."""
    state, field = _field(endpoint, model, path)
    record = await service.get(task, caller, refresh=False)
    kind = ENDPOINTS[record.endpoint].result if record and record.endpoint in ENDPOINTS else ""
    if record is None or record.status != "SUCCEEDED" or kind not in field.kinds:
        raise HTTPException(404)
    address = baseUrl.strip() or None
    if handoff(record, address) is Handoff.URL:
        return _filled(request, state, field, record.output[0], kind, "")
    try:  # None: no saved copy (Handoff.NONE), or it was removed since
        uri = await copy_up(record, media, uploads, address, caller)
    except UPLOAD_FAILURES as exc:
        return _answer(request, state, field, media_error=upload_refusal(exc))
    if uri is None:
        return _answer(request, state, field, media_error=_(GONE))
    note = _("the console's copy of task {id} uploaded as {uri}", id=record.id[:8], uri=uri)
    return _filled(request, state, field, uri, kind, note)


@router.get("/form/outputs")
async def previous_outputs(
    request: Request,
    service: ServiceDep,
    caller: CallerDep,
    endpoint: str,
    model: str,
    path: str,
    baseUrl: str = "",
) -> Response:
    """The caller's latest succeeded outputs of the field's kinds that can go in it from the
    form's address (`baseUrl`), each with how it goes (its URL, or its saved copy)."""
    _state, field = _field(endpoint, model, path)
    records, _more = await service.list_tasks(caller, LOOKED_AT, "SUCCEEDED", refresh=False)
    now, address = time.time(), baseUrl.strip() or None
    fitting = [
        r
        for r in records
        if r.output and r.endpoint in ENDPOINTS and ENDPOINTS[r.endpoint].result in field.kinds
    ]
    ways = [(r, handoff(r, address, now)) for r in fitting]
    outputs = [(r, how.value) for r, how in ways if how is not Handoff.NONE][:RECENT_OUTPUTS]
    tagged = {kind: union_tag(endpoint, model, field, kind) is not None for kind in field.kinds}
    hidden = sum(how is Handoff.NONE for _r, how in ways)
    context = {"outputs": outputs, "hidden": hidden, "f": field, "tagged": tagged, "now": now}
    return render(request, "console/_media_outputs.html", context)
