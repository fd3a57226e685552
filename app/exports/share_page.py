"""Share a run: one self-contained HTML file, for a bug report to a relay or a customer follow-up.

Frames and the output (a video, or an image for an image task) are embedded as data URIs, so
the file needs no server and no network; it has no script at all. The other inputs an endpoint
takes (a video to transform, Act-Two's character) are listed by field, as URIs. The transcript
is the inspector's: key masked, data URIs shortened.
"""

import base64
from typing import Any

from app.catalog.endpoints import ENDPOINTS
from app.catalog.validation import prompt_images
from app.core.transcript import shorten_data_uris
from app.frames.refs import FrameStore, frame_refs, frame_sha
from app.media.copies import OUTPUT_TYPES, MediaStore, output_suffix
from app.storage.task_record import TaskRecord

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


def embedded_output(record: TaskRecord, media: MediaStore) -> str | None:
    """The saved output (a video, an image or a sound) as a data URI of its own type; None
    when not saved or too big."""
    suffix = output_suffix(record)
    size = media.size(record.id, suffix) if record.video_saved else None
    if size is None or size > VIDEO_EMBED_LIMIT:
        return None
    data = media.read(record.id, suffix)
    encoded = base64.b64encode(data).decode() if data else ""
    return f"data:{OUTPUT_TYPES[suffix]};base64,{encoded}" if data else None


URI_PREFIXES = ("https://", "http://", "runway://", "data:", "/")


def media_inputs(value: object, path: str = "") -> list[tuple[str, str]]:
    """(field, URI) of every input URI in a request but its frames (`promptImage`), by the
    field's dotted path (`character.uri`, `keyframes.0.uri`); data URIs shortened."""
    if isinstance(value, dict):
        items = ((key, sub) for key, sub in value.items() if path or key != "promptImage")
    elif isinstance(value, list):
        items = ((str(index), sub) for index, sub in enumerate(value))
    elif isinstance(value, str) and value.startswith(URI_PREFIXES) and path != "notify_hook":
        return [(path, shorten_data_uris(value))]
    else:
        return []
    return [
        found for key, sub in items for found in media_inputs(sub, f"{path}.{key}" if path else key)
    ]


def share_context(
    record: TaskRecord, frames: FrameStore, media: MediaStore, events: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "task": record,
        "frames": embedded_frames(record, frames),
        "output_src": embedded_output(record, media),
        "output_kind": ENDPOINTS[record.endpoint].result if record.endpoint in ENDPOINTS else "",
        "endpoint_name": ENDPOINTS[record.endpoint].label if record.endpoint in ENDPOINTS else "",
        "inputs": media_inputs(record.request),
        "events": events,
        "frame_count": len(frame_refs(record.request)),
    }
