"""Audio outputs as the console keeps them: with their real type, told from their bytes.

An audio task (text_to_speech, sound_effect...) makes MP3 unless its body asks another
`format`/`outputFormat`; what the upstream really sent decides the saved copy's suffix and
media type, so a player and a download get what the file is. The container is told from the
first bytes and named to PyAV (FFmpeg never probes a download: some of its demuxers read
other files), and the copy must decode as sound before it is kept.
"""

from pathlib import Path
from typing import Any

import av

from app.core.i18n import gettext as _

AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "m4a": "audio/mp4",
}
PYAV_FORMATS = {"mp3": "mp3", "wav": "wav", "flac": "flac", "ogg": "ogg", "m4a": "mov"}
ASKED = {"ogg_opus": "ogg"}
HEAD_BYTES = 12


def asked_suffix(body: dict[str, Any]) -> str:
    """The audio type a create body asks for: its `format` or `outputFormat`, else MP3."""
    asked = str(body.get("format") or body.get("outputFormat") or "mp3")
    asked = ASKED.get(asked, asked)
    return asked if asked in AUDIO_TYPES else "mp3"


def audio_kind(head: bytes) -> str | None:
    """The suffix of audio starting with `head`, or None when it is none the console keeps."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        return "m4a"
    return None


def audio_problem(path: Path) -> tuple[str | None, str]:
    """Why a download is not whole, playable sound (None when it is), and its suffix."""
    with path.open("rb") as handle:
        kind = audio_kind(handle.read(HEAD_BYTES))
    if kind is None:
        return _("the download is not an MP3, WAV, FLAC, Ogg or M4A file"), "mp3"
    try:
        with av.open(str(path), format=PYAV_FORMATS[kind]) as container:
            if not container.streams.audio:
                return _("the file has no sound"), kind
            for _frame in container.decode(audio=0):
                break
    except (av.error.FFmpegError, OSError, ValueError):
        return _("the audio is damaged or incomplete"), kind
    return None, kind
