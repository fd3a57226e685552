"""What a schema media field (`x-media`: image, video or audio) takes as a file.

The form's media widget (templates/console/_media_field.html, static/media.js) reads its
`accept` attribute and size limit from here, and the upload route (app/web/pages/media.py)
checks the same facts again before a byte goes upstream, so the page and the server refuse a
file with one sentence. A field whose union takes two kinds (speech_to_speech's `media`: audio
or video) takes the files of both.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.frames.images import image_type, over_limit_message
from app.media.audio import audio_kind
from app.media.video import HEAD_BYTES, video_container


@dataclass(frozen=True)
class MediaKind:
    """One kind of input: the media types it takes and its own size limit, if the API states
    one (else the console's upload limit alone holds)."""

    name: str
    words: str  # how the page names a file of this kind ("a video"), translated where shown
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    max_mb: float | None = None


KINDS: dict[str, MediaKind] = {
    # Runway's image rules: JPEG, PNG, WebP; at most 16 MB by URL (docs/runway-api.md).
    "image": MediaKind(
        "image",
        N_("an image"),
        ("image/jpeg", "image/png", "image/webp"),
        (".jpg", ".jpeg", ".png", ".webp"),
        16,
    ),
    "video": MediaKind(
        "video",
        N_("a video"),
        ("video/mp4", "video/quicktime", "video/webm"),
        (".mp4", ".mov", ".webm"),
    ),
    "audio": MediaKind(
        "audio",
        N_("audio"),
        (
            "audio/mpeg",
            "audio/mp3",
            "audio/wav",
            "audio/x-wav",
            "audio/wave",
            "audio/flac",
            "audio/x-flac",
            "audio/ogg",
            "audio/mp4",
            "audio/aac",
            "audio/webm",
        ),
        (".mp3", ".wav", ".flac", ".ogg", ".m4a", ".aac", ".webm"),
    ),
}


def kinds_of(media: str) -> tuple[MediaKind, ...]:
    """The kinds a field's `media` names (`video`, or `audio|video` for a union)."""
    return tuple(KINDS[name] for name in media.split("|") if name in KINDS)


def kinds_words(media: str) -> str:
    """The field's kinds as the page says them: "a video", "audio or a video"."""
    return _(" or ").join(_(kind.words) for kind in kinds_of(media))


def accept_attribute(media: str) -> str:
    """The file chooser's `accept`: every media type and extension of the field's kinds."""
    return ",".join(t for kind in kinds_of(media) for t in (*kind.media_types, *kind.extensions))


def limit_mb(media: str, console_mb: float) -> float:
    """The largest file the field takes: its kinds' own limit, within the console's."""
    stated = [kind.max_mb for kind in kinds_of(media) if kind.max_mb is not None]
    if len(stated) < len(kinds_of(media)):  # a kind with no limit of its own: the console's
        return console_mb
    return min(max(stated), console_mb)


def kind_of_file(media: str, media_type: str, filename: str) -> MediaKind | None:
    """Which of the field's kinds a file is, by its media type or else its extension."""
    lowered = filename.lower()
    for kind in kinds_of(media):
        if media_type in kind.media_types or lowered.endswith(kind.extensions):
            return kind
    return None


def _is_audio(data: bytes) -> bool:
    """Audio the console keeps (app/media/audio.py's rule), or WebM audio (a Matroska file)."""
    head = data[:HEAD_BYTES]
    return audio_kind(head) is not None or video_container(head) == "matroska"


# What each kind's bytes must be, whatever the file's name and Content-Type say.
BYTES_ARE: dict[str, Callable[[bytes], bool]] = {
    "image": lambda data: image_type(data) is not None,
    "video": lambda data: video_container(data[:HEAD_BYTES]) is not None,
    "audio": _is_audio,
}


def kind_of_bytes(media: str, data: bytes) -> MediaKind | None:
    """Which of the field's kinds the file's bytes are (told by their first bytes), or None."""
    for kind in kinds_of(media):
        if BYTES_ARE[kind.name](data):
            return kind
    return None


def kind_of_upload(media: str, media_type: str, filename: str, data: bytes) -> MediaKind | None:
    """The kind a received file is: the one its name or type claims when its bytes are of it
    (an MP4 is both M4A audio and video by its bytes), else any of the field's kinds its bytes
    are; None when they are of none, whatever the name said."""
    claimed = kind_of_file(media, media_type, filename)
    if claimed is not None and BYTES_ARE[claimed.name](data):
        return claimed
    return kind_of_bytes(media, data)


def kind_problem(media: str) -> str:
    """Why a file of none of the field's kinds is refused, by its name or by its bytes."""
    return _("must be {kinds}", kinds=kinds_words(media))


def file_problem(
    media: str, media_type: str, filename: str, size: int, console_mb: float
) -> str | None:
    """Why the field refuses this file (its kind, then its size), or None."""
    if kind_of_file(media, media_type, filename) is None:
        return kind_problem(media)
    limit = limit_mb(media, console_mb)
    if size > limit * 1024 * 1024:
        return over_limit_message(limit)
    return None
