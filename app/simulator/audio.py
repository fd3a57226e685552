"""The audio endpoints: text_to_speech, sound_effect, speech_to_speech, voice_dubbing,
voice_isolation and video_to_audio.

Their bodies are checked and their tasks started as the other schema-driven endpoints' are
(media_tasks.py); this module adds what is audio's own: which audio inputs the simulator
accepts and reads, what a task costs, what it makes (its format and, where the body says,
its length), and the render (audio_render.py).

An audio input is an https URL (never fetched), a `runway://` upload, a `data:audio/` URI or
one of this simulator's own outputs (its key's only). Bytes it will decode must be in a
container it names itself from their first bytes, as for videos (containers.py): MP3, WAV,
FLAC, Ogg, or an MP4/QuickTime/WebM file's audio track; nothing is left to FFmpeg's probing.
"""

import base64
import binascii
import math
import re
from typing import Any

from app.simulator.audio_outputs import SUFFIXES, audio_format, file_head
from app.simulator.containers import HEAD_BYTES
from app.simulator.state import SimState
from app.simulator.upload_store import upload_path

OWN_OUTPUT = re.compile(r"/outputs/([0-9a-f-]{36})\.(mp4|mp3|wav|flac|ogg)(\?|$)")
DATA_URI = re.compile(r"^data:audio/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+$", re.I)
DATA_URI_MAX_CHARS = 5 * 1024 * 1024
NOT_AUDIO = "Expected an MP3, WAV, FLAC, Ogg or M4A audio, or a video with sound"
# The simulator's own price guesses, in credits (the SDK carries none).
CHARS_PER_CREDIT = 50
CREDITS_PER_MINUTE = 10
GUESSED_SECONDS = 10  # an input's length is not read at create


def _head_of_data(uri: str) -> bytes:
    payload = "".join(uri.partition(",")[2][:256].split())[: HEAD_BYTES // 3 * 4]
    try:
        return base64.b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        return b""


def audio_uri_problem(uri: str) -> str | None:
    """The shape of an audio input's URI (its bytes are audio_read_problem's)."""
    if uri.startswith("data:"):
        if len(uri) > DATA_URI_MAX_CHARS:
            return "Data URIs must be at most 5MB"
        return None if DATA_URI.match(uri) else "Expected a base64 audio data URI"
    if uri.startswith(("runway://", "https://")) or OWN_OUTPUT.search(uri):
        return None if len(uri) <= 2048 else "URLs must be at most 2048 characters"
    return "Expected an HTTPS URL, a runway:// upload URI or an audio data URI"


def audio_read_problem(state: SimState, uri: str, owner: str) -> str | None:
    """Why the simulator will not read this audio: bytes it does not decode, or another
    key's output. A URL it does not fetch, or an unknown upload, is not its business."""
    if uri.startswith("data:"):
        return None if audio_format(_head_of_data(uri)) else NOT_AUDIO
    if uri.startswith("runway://"):
        path = upload_path(state.store.root, uri)
        return None if path is None or audio_format(file_head(path)) else NOT_AUDIO
    if match := OWN_OUTPUT.search(uri):
        task = state.store.load(match.group(1))
        mine = task is not None and task.belongs_to(owner)
        return None if mine else "Not the output of a task made with this API key"
    return None


def audio_input(state: SimState, task_id: str, uri: str, role: str) -> str:
    """Where the renderer finds an audio input: kept bytes, an output, an upload, a URL."""
    if uri.startswith("data:"):
        return state.store.save_frame(task_id, role, uri)
    if match := OWN_OUTPUT.search(uri):
        return f"output:{match.group(1)}.{match.group(2)}"
    return uri


def output_format(body: dict[str, Any]) -> str:
    """The file a task makes: the `format` or `outputFormat` asked, else MP3, as the
    ElevenLabs models answer."""
    asked = str(body.get("format") or body.get("outputFormat") or "mp3")
    return "ogg" if asked == "ogg_opus" else asked if asked in SUFFIXES else "mp3"


def asked_seconds(endpoint: str, body: dict[str, Any]) -> float | None:
    """The length the body decides before any input is read, None when the input decides."""
    text = str(body.get("promptText") or "")
    if endpoint == "text_to_speech":
        return None  # the words decide, at render
    if endpoint == "sound_effect":
        duration = body.get("duration")
        return float(duration) if duration else min(22.0, 2.0 + len(text.split()) * 0.5)
    return None


def credits(endpoint: str, body: dict[str, Any]) -> int:
    if endpoint == "text_to_speech":
        return max(1, math.ceil(len(str(body.get("promptText") or "")) / CHARS_PER_CREDIT))
    seconds = asked_seconds(endpoint, body) or float(body.get("duration") or GUESSED_SECONDS)
    return max(1, math.ceil(seconds * CREDITS_PER_MINUTE / 60))


def task_facts(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the render needs beside the inputs: the format, the voice, the language."""
    voice = body.get("voice") if isinstance(body.get("voice"), dict) else {}
    speed = body.get("speed")
    return {
        "format": output_format(body),
        "voice": str(voice.get("presetId") or voice.get("audioUri") or "default"),
        "speed": float(speed) if isinstance(speed, int | float) else 1.0,
        "targetLang": str(body.get("targetLang") or ""),
        "seconds": asked_seconds(endpoint, body) or body.get("duration"),
        "sampleRate": body.get("sampleRate"),  # the schema's choices only (seed_audio)
    }
