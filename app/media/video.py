"""Which video containers the console and its simulator take: MP4, QuickTime and WebM
(Matroska), told by their first bytes and never by a name or a Content-Type.

FFmpeg left to probe a file picks any of its demuxers, and some open other files (an
`ffconcat` playlist reads the paths it names); so the container is decided here from the
bytes and named to PyAV. The form's media fields (app/frames/media_kinds.py) refuse by the
same rule a "video" that is none of these, before it is sent upstream.
"""

HEAD_BYTES = 12
# An ISO/QuickTime file starts with a box: its size, then its type. Newer files open with
# `ftyp`; older QuickTime ones with the movie, its data or padding.
MOV_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"  # Matroska and WebM


def video_container(head: bytes) -> str | None:
    """The PyAV format of a video starting with `head` ("mov" or "matroska"), or None."""
    if len(head) >= 8 and head[4:8] in MOV_BOXES:
        return "mov"
    if head.startswith(EBML_MAGIC):
        return "matroska"
    return None
