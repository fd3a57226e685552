"""The videos a create names as its input: which the simulator accepts, and where it reads them.

A video is an https URL (never fetched: a placeholder stands in), a `runway://` upload, a data
URI, or one of this simulator's own outputs (an http URL on loopback), which only the key that
made it may use. Bytes the simulator will read must be in a container it decodes
(containers.py). Shared by video_upscale (generations.py) and the endpoints the SDK's schemas
drive (media_tasks.py).
"""

import re

from app.simulator.containers import data_uri_format, file_format
from app.simulator.state import SimState
from app.simulator.upload_store import upload_path

VIDEO_DATA_URI = re.compile(r"^data:video/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+$", re.I)
OWN_OUTPUT = re.compile(r"/outputs/([0-9a-f-]{36})\.mp4(\?|$)")
OWN_IMAGE = re.compile(r"/outputs/([0-9a-f-]{36})\.png(\?|$)")  # an image task's output
DATA_URI_MAX_CHARS = 5 * 1024 * 1024
NOT_A_VIDEO = "Expected an MP4, QuickTime or WebM video"
NOT_YOUR_OUTPUT = "Not the output of a task made with this API key"


def video_uri_problem(uri: object) -> str | None:
    """A video to upscale: an https URL, a runway:// upload, a data URI, or this simulator's
    own output URL (http when it runs on loopback)."""
    if not isinstance(uri, str) or not uri:
        return "Expected an HTTPS URL, a runway:// upload URI or a data URI"
    if uri.startswith("data:"):
        if len(uri) > DATA_URI_MAX_CHARS:
            return "Data URIs must be at most 5MB"
        return None if VIDEO_DATA_URI.match(uri) else "Expected a base64 video data URI"
    if uri.startswith(("runway://", "https://")) or OWN_OUTPUT.search(uri):
        return None if len(uri) <= 2048 else "URLs must be at most 2048 characters"
    return "Expected an HTTPS URL"


def video_read_problem(state: SimState, uri: str, owner: str) -> str | None:
    """Why the simulator will not read this video: bytes in a container it does not decode
    (containers.py), or an output of a task another key made (or none at all). A URL it does
    not fetch, or an unknown upload, is not its business."""
    if uri.startswith("data:"):
        return None if data_uri_format(uri) else NOT_A_VIDEO
    if uri.startswith("runway://"):
        path = upload_path(state.store.root, uri)
        return None if path is None or file_format(path) else NOT_A_VIDEO
    if match := OWN_OUTPUT.search(uri):
        task = state.store.load(match.group(1))
        return None if task is not None and task.belongs_to(owner) else NOT_YOUR_OUTPUT
    return None


def video_source(state: SimState, task_id: str, uri: str, role: str = "video") -> str:
    """Where the renderer finds the video to upscale: kept bytes, one of this simulator's
    own outputs, an upload, or a URL it will not fetch."""
    if uri.startswith("data:"):
        return state.store.save_frame(task_id, role, uri)
    if match := OWN_OUTPUT.search(uri):
        return f"output:{match.group(1)}"
    return uri


def own_image_problem(state: SimState, uri: str, owner: str) -> str | None:
    """An image input that is one of this simulator's own image outputs (http on loopback, or
    its path) must be the caller's, as a video output must; None for any other URI, which the
    image rules check."""
    match = OWN_IMAGE.search(uri)
    if match is None:
        return None
    task = state.store.load(match.group(1))
    return None if task is not None and task.belongs_to(owner) else NOT_YOUR_OUTPUT


def image_source(state: SimState, task_id: str, role: str, uri: str) -> str:
    """Where the renderer finds an image: kept bytes, one of this simulator's own image
    outputs (`output:<id>`), an upload, or a URL it will not fetch."""
    if match := OWN_IMAGE.search(uri):
        return f"output:{match.group(1)}"
    return state.store.save_frame(task_id, role, uri)
