"""The form's media fields: a file sent up as an ephemeral upload, or a previous task's output.

A schema media field (`x-media`: image, video, audio) takes an https URL, a `runway://` upload
or a task's output URL as text; these routes fill it the other two ways. A file is checked
against the field's kinds and size limit (app/frames/media_kinds.py, which the page checked
first), then its first bytes must be of one of those kinds, whatever its name says; it goes to
the form's API address as the official SDK's `uploads.create_ephemeral` sends it, by the same
code as a frame too large for a data URI (UploadSlots.file);
the field comes back holding its `runway://` URI. Nothing is kept here: a refused file leaves
nothing behind, and its error names the field as the schema does.
"""

import time
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response

from app.catalog.endpoints import ENDPOINTS, FORM_MODES
from app.catalog.validation import Invalid
from app.core.i18n import gettext as _
from app.frames.allowance import FrameAllowanceSpent
from app.frames.media_kinds import file_problem, kind_of_upload, kind_problem
from app.frames.uploads import NoUploads
from app.runway.client import UpstreamError
from app.web.deps import CallerDep, ServiceDep, SettingsDep, UploadSlotsDep
from app.web.forms import FormState
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
    except Invalid as exc:
        return _answer(request, state, field, media_error=exc.errors[0].message)
    except FrameAllowanceSpent as exc:  # kept on this server (the built-in simulator): charged
        return _answer(request, state, field, media_error=str(exc))
    except NoUploads:
        refusal = _("this address takes no uploads: give the file as an https URL")
        return _answer(request, state, field, media_error=refusal)
    except UpstreamError as exc:
        return _answer(request, state, field, media_error=exc.message)
    state.values[field.path] = uri
    tag = union_tag(endpoint, model, field, kind.name)
    note = _("{name} ({size} KB) uploaded as {uri}", name=name, size=len(data) // 1024, uri=uri)
    context = {"media_note": note, "filled_kind": kind.name if tag is not None else ""}
    return _answer(request, state, field, **context)


@router.get("/form/outputs")
async def previous_outputs(
    request: Request, service: ServiceDep, caller: CallerDep, endpoint: str, model: str, path: str
) -> Response:
    """The caller's latest succeeded outputs of the field's kinds, to put in it."""
    _state, field = _field(endpoint, model, path)
    records, _more = await service.list_tasks(caller, LOOKED_AT, "SUCCEEDED", refresh=False)
    outputs = [
        r
        for r in records
        if r.output and r.endpoint in ENDPOINTS and ENDPOINTS[r.endpoint].result in field.kinds
    ][:RECENT_OUTPUTS]
    tagged = {kind: union_tag(endpoint, model, field, kind) is not None for kind in field.kinds}
    context = {"outputs": outputs, "f": field, "tagged": tagged, "now": time.time()}
    return render(request, "console/_media_outputs.html", context)
