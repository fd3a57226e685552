"""What the console hands out as files: the stored video (with Range, for seeking), a run's
self-contained share file, and zip exports of history."""

import asyncio
from collections.abc import Iterator
from typing import IO

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import StreamingResponse

from app.core.keys import ANONYMOUS_OWNER, OPERATOR_OWNER, Caller
from app.exports.share_page import share_context
from app.exports.zip_file import build_zip, task_document
from app.media.copies import OUTPUT_TYPES
from app.storage.task_record import TaskRecord
from app.web.byte_ranges import ranged_response
from app.web.deps import CallerDep, FramesDep, MediaDep, ServiceDep
from app.web.render import render
from app.web.task_object import task_to_api

router = APIRouter()  # the media files
# A task's files under /api/tasks/: included before the JSON API, whose /api/tasks/{task_id}
# would take /api/tasks/export.zip.
task_files = APIRouter()
EXPORT_LIMIT = 10_000


async def _serve(
    request: Request,
    task_id: str,
    suffix: str,
    service: ServiceDep,
    media: MediaDep,
    caller: Caller | None,
    token: str,
) -> Response:
    if not await service.may_read_video(task_id, caller, token):
        raise HTTPException(404, "no stored output for this task")
    size = await asyncio.to_thread(media.size, task_id, suffix)
    if size is None:
        raise HTTPException(404, "no stored output for this task")
    return ranged_response(
        media.reader(task_id, suffix),
        size,
        request.headers.get("range"),
        OUTPUT_TYPES[suffix],
        {"Cache-Control": "private, max-age=86400"},
        head=request.method == "HEAD",
    )


async def read_output(
    request: Request,
    task_id: str,
    service: ServiceDep,
    media: MediaDep,
    caller: CallerDep,
    t: str = "",
) -> Response:
    """The console's copy of a task's output under its own type (`.mp4`, `.png`, `.mp3`...): for
    its owner's key, or with the task's token. Served with Range from the object store, so any
    replica can serve it and the player seeks."""
    suffix = request.url.path.rsplit(".", 1)[-1]
    return await _serve(request, task_id, suffix, service, media, caller, t)


for _suffix in OUTPUT_TYPES:
    _path = f"/media/{{task_id}}.{_suffix}"
    router.add_api_route(_path, read_output, methods=["GET"], tags=["media"])
    router.add_api_route(_path, read_output, methods=["HEAD"], include_in_schema=False)


def proven_owner(caller: Caller) -> Caller | None:
    """The caller as an owner on a path that skips the login (the gateway's `/v1/media/`): a
    key or member token proves one; no key is the operator's or everyone's owner, which only
    the login proves, so there the URL's token is needed."""
    return caller if caller.key or caller.owner not in (OPERATOR_OWNER, ANONYMOUS_OWNER) else None


async def gateway_media(
    request: Request,
    task_id: str,
    service: ServiceDep,
    media: MediaDep,
    caller: CallerDep,
    t: str = "",
) -> Response:
    """`/v1/media/<id>.mp4` and `.png`: the saved copy, as `/media/` serves it, for an app
    holding the URL the gateway answered (its token) or the owner's key or member token."""
    suffix = request.url.path.rsplit(".", 1)[-1]
    return await _serve(request, task_id, suffix, service, media, proven_owner(caller), t)


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(256 * 1024):
            yield chunk


async def _zip_response(
    service: ServiceDep,
    frames: FramesDep,
    media: MediaDep,
    records: list[TaskRecord],
    name: str,
    folders: bool,
) -> StreamingResponse:
    events = await service.events_of(records)
    items = [
        (
            record,
            task_document(
                record, task_to_api(record, service.video_url(record)), events[record.id]
            ),
        )
        for record in records
    ]
    spool = await asyncio.to_thread(build_zip, items, frames, media, folders=folders)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(_chunks(spool), media_type="application/zip", headers=headers)


@task_files.get("/api/tasks/{task_id}/share.html", tags=["tasks"])
async def share_task(
    request: Request,
    task_id: str,
    service: ServiceDep,
    frames: FramesDep,
    media: MediaDep,
    caller: CallerDep,
) -> Response:
    """One self-contained HTML file: settings, frames, video, transcript (key masked)."""
    record = await service.get(task_id, caller, refresh=False)
    if record is None:
        raise HTTPException(404, "no such task for this key")
    events = (await service.events_of([record]))[record.id]
    context = await asyncio.to_thread(share_context, record, frames, media, events)
    context["origin"] = str(request.base_url)
    response = render(request, "exports/share_file.html", context)
    response.headers["Content-Disposition"] = f'attachment; filename="runway-task-{task_id}.html"'
    return response


@task_files.get("/api/tasks/export.zip", tags=["tasks"])
async def export_all(
    service: ServiceDep, frames: FramesDep, media: MediaDep, caller: CallerDep
) -> StreamingResponse:
    """All of the caller's tasks, one folder each."""
    records, _more = await service.list_tasks(caller, EXPORT_LIMIT, refresh=False)
    name = "runway-console-history.zip"
    return await _zip_response(service, frames, media, records, name, folders=True)


@task_files.get("/api/tasks/{task_id}/export.zip", tags=["tasks"])
async def export_task(
    task_id: str, service: ServiceDep, frames: FramesDep, media: MediaDep, caller: CallerDep
) -> StreamingResponse:
    """One task: task.json (key masked), its frames and its video."""
    record = await service.get(task_id, caller, refresh=False)
    if record is None:
        raise HTTPException(404, "no such task for this key")
    name = f"runway-task-{task_id}.zip"
    return await _zip_response(service, frames, media, [record], name, folders=False)
