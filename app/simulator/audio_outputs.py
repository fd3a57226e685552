"""What the audio endpoints make (audio.py takes their creates): the task's sound from its
inputs and facts, encoded in the format it asked for (audio_render.py makes the samples).

Which bytes count as audio is told from their first bytes (MP3, WAV, FLAC, Ogg, or an
MP4/QuickTime/WebM file's sound track), and that container is named to PyAV, so FFmpeg never
probes an input (containers.py says why).
"""

import io
from pathlib import Path

import av

from app.simulator import audio_render as sound
from app.simulator.containers import HEAD_BYTES, container_format
from app.simulator.store import SimStore, SimTask
from app.simulator.upload_store import upload_path

AUDIO_KINDS = (
    "text_to_speech",
    "sound_effect",
    "speech_to_speech",
    "voice_dubbing",
    "voice_isolation",
    "video_to_audio",
)
SUFFIXES = tuple(sound.ENCODERS)
MEDIA_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg"}
DUBBING_PITCH = 150.0  # Hz, moved per target language


def audio_format(head: bytes) -> str | None:
    """The PyAV format for audio starting with `head`, or None when it is none of ours."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    return container_format(head)


def file_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError:
        return b""


def _source(store: SimStore, task: SimTask, role: str) -> sound.Source | None:
    """An input the simulator may read, with the container its bytes name; None for a URL."""
    found = task.extra.get("inputs", {}).get(role)
    if not found:
        return None
    given = str(found[1])
    if given == "data":
        data = store.frame_bytes(task.id, role) or b""
        container = audio_format(data[:HEAD_BYTES])
        return (io.BytesIO(data), container) if container else None
    if given.startswith("output:"):  # a video's (video_inputs.py) names no suffix
        name = given.removeprefix("output:")
        path: Path | None = store.outputs_dir / (name if "." in name else f"{name}.mp4")
    else:
        path = upload_path(store.root, given)
    container = audio_format(file_head(path)) if path is not None else None
    return (path, container) if path is not None and container else None


def _length(source: sound.Source) -> float:
    """A file's length in seconds (a video's or its audio's), as its container says."""
    given = source[0]
    if isinstance(given, io.BytesIO):
        given.seek(0)
    with av.open(given if isinstance(given, io.BytesIO) else str(given), format=source[1]) as f:
        return min(sound.MAX_SECONDS, (f.duration or 0) / 1_000_000) or 1.0


def _heard(store: SimStore, task: SimTask, role: str) -> sound.Samples:
    """The input's audio; a tone pattern for one the simulator may not read, and silence
    for a video without sound (as long as the video)."""
    source = _source(store, task, role)
    if source is None:
        return sound.speech("placeholder audio input", task.seed, "input", 1.0)
    try:
        samples = sound.audio_of(source)
        return samples if samples is not None else [0.0] * int(_length(source) * sound.RATE)
    except (av.error.FFmpegError, IndexError):
        return sound.speech("undecodable audio input", task.seed, "input", 1.0)


def _samples(store: SimStore, task: SimTask) -> sound.Samples:
    kind, facts = task.extra["kind"], task.extra
    if kind == "text_to_speech":
        return sound.speech(task.prompt or " ", task.seed, facts["voice"], facts["speed"])
    if kind == "sound_effect":
        return sound.effect(task.prompt, task.seed, float(facts["seconds"] or 5.0))
    if kind == "video_to_audio":
        video = _source(store, task, "video")
        seconds = _length(video) if video else float(facts.get("seconds") or 5.0)
        return sound.effect(task.prompt or "video", task.seed, seconds)
    heard = _heard(store, task, "audio")
    if kind == "voice_isolation":
        return sound.isolated(heard)
    if kind == "voice_dubbing":
        # A shift in fractions of a semitone: two languages never land on the same voice, as
        # whole semitones did once in 13 (a Spanish and a French dub that sounded the same).
        shift = sound.seeded("language", facts["targetLang"], task.seed).uniform(-6.0, 6.0)
        return sound.revoiced(heard, DUBBING_PITCH * 2 ** (shift / 12))
    pitch = sound.seeded("voice", facts["voice"], task.seed).uniform(110.0, 260.0)
    return sound.revoiced(heard, pitch)


def render_audio(store: SimStore, task: SimTask, path: Path) -> None:
    """The task's sound, encoded in the format it asked for."""
    asked = task.extra.get("sampleRate")
    sound.encode(_samples(store, task), str(task.extra["format"]), path, out_rate=asked)
