"""Share a run: one self-contained HTML file, for a bug report to a relay or a customer follow-up.

Frames and the video are embedded as data URIs, so the file needs no server and no network; it
has no script at all. The transcript is the inspector's: key masked, data URIs shortened.
"""

import base64
from typing import Any

from app.catalog.validation import prompt_images
from app.frames.refs import FrameStore, frame_refs, frame_sha
from app.media.copies import OUTPUT_TYPES, MediaStore, output_suffix
from app.storage.database import TaskRecord

VIDEO_EMBED_LIMIT = 60 * 1024 * 1024


def embedded_frames(record: TaskRecord, frames: FrameStore) -> list[dict[str, Any]]:
    """Each stored frame as a data URI with its facts; URL frames are listed as URLs."""
    shown = []
    for image in prompt_images(record.request.get("promptImage")) or []:
        uri = str(image.get("uri") or "")
        entry: dict[str, Any] = {"position": image.get("position", "first"), "url": uri}
        sha = frame_sha(uri)
        frame = frames.get(sha) if sha is not None else None
        if frame is not None:
            entry.update(
                url="",
                src=frames.data_uri(frame),
                width=frame.width,
                height=frame.height,
                media_type=frame.media_type,
            )
        shown.append(entry)
    return shown


def embedded_video(record: TaskRecord, media: MediaStore) -> str | None:
    """The saved output (a video, an image or a sound) as a data URI of its own type."""
    suffix = output_suffix(record)
    size = media.size(record.id, suffix) if record.video_saved else None
    if size is None or size > VIDEO_EMBED_LIMIT:
        return None
    data = media.read(record.id, suffix)
    encoded = base64.b64encode(data).decode() if data else ""
    return f"data:{OUTPUT_TYPES[suffix]};base64,{encoded}" if data else None


def share_context(
    record: TaskRecord, frames: FrameStore, media: MediaStore, events: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "task": record,
        "frames": embedded_frames(record, frames),
        "video_src": embedded_video(record, media),
        "events": events,
        "frame_count": len(frame_refs(record.request)),
    }
