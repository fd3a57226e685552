"""Which videos the simulator decodes: MP4, QuickTime and WebM (Matroska), told by their bytes.

FFmpeg left to probe a file picks any of its demuxers, and some open other files: an `ffconcat`
playlist reads the local paths it names, HLS fetches what its playlist lists. The simulator
therefore decides the container from the first bytes, refuses anything else at the create, and
names the container to PyAV, so no probe runs at all. The MOV demuxer follows no external data
references unless asked (`enable_drefs`), and Matroska has none.
"""

import base64
import binascii
from pathlib import Path

from app.media.video import HEAD_BYTES, video_container


def container_format(head: bytes) -> str | None:
    """The PyAV format for a video starting with `head`, or None when it is none of ours
    (the console's one rule, app/media/video.py)."""
    return video_container(head)


def file_format(path: Path) -> str | None:
    """`container_format` of a file on disk (an upload, a kept data URI)."""
    try:
        with path.open("rb") as handle:
            return container_format(handle.read(HEAD_BYTES))
    except OSError:
        return None


def data_uri_format(uri: str) -> str | None:
    """`container_format` of a base64 data URI, decoding only its first bytes."""
    payload = "".join(uri.partition(",")[2][:256].split())[: HEAD_BYTES // 3 * 4]
    try:
        return container_format(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
