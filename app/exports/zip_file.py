"""Export tasks as a zip: `task.json` (request, responses, timings; no key), frames, video."""

import json
import tempfile
import time
import zipfile
from typing import IO, Any

from app.frames.refs import EXTENSIONS, FrameStore, frame_refs
from app.media.copies import MediaStore, output_suffix
from app.storage.task_record import TaskRecord

SPOOL_BYTES = 16 * 1024 * 1024
ZIP_NAMES = {"png": "image.png", "mp4": "video.mp4"}  # else `audio.<its type>`


def task_document(record: TaskRecord, api: dict[str, Any], events: list[dict[str, Any]]) -> dict:
    """Everything known about a task, as a person would file it in a bug report."""
    return {
        "task": api,
        "request": record.request,
        "key": record.key_mask or None,
        "timings": {
            "submittedAt": record.created_at,
            "firstRunningAt": record.started_at,
            "finishedAt": record.finished_at,
        },
        "statusChanges": events,
        "upstreamExchanges": record.exchanges,
    }


def write_task(
    archive: zipfile.ZipFile,
    prefix: str,
    record: TaskRecord,
    document: dict,
    frames: FrameStore,
    media: MediaStore,
) -> None:
    archive.writestr(f"{prefix}task.json", json.dumps(document, indent=2))
    for sha in sorted(frame_refs(record.request)):
        frame = frames.get(sha)
        if frame is not None:
            name = f"{prefix}frames/{sha}.{EXTENSIONS[frame.media_type]}"
            archive.writestr(name, frames.read(frame), compress_type=zipfile.ZIP_STORED)
    suffix = output_suffix(record)
    size = media.size(record.id, suffix) if record.video_saved else None
    if size is not None:  # streamed in, not held whole: a video may be hundreds of MB
        name = (
            "image.png"
            if suffix == "png"
            else "video.mp4"
            if suffix == "mp4"
            else f"audio.{suffix}"
        )
        info = zipfile.ZipInfo(f"{prefix}{name}", time.localtime()[:6])
        info.compress_type, info.file_size = zipfile.ZIP_STORED, size
        with archive.open(info, "w", force_zip64=True) as out:
            for chunk in media.reader(record.id, suffix)(0, size):
                out.write(chunk)


def build_zip(
    items: list[tuple[TaskRecord, dict]], frames: FrameStore, media: MediaStore, *, folders: bool
) -> IO[bytes]:
    """A zip in a spooled temporary file (memory for small ones, disk for big), rewound."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open)
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        for record, document in items:
            prefix = f"{record.id}/" if folders else ""
            write_task(archive, prefix, record, document, frames, media)
    spool.seek(0)
    return spool  # type: ignore[return-value]
