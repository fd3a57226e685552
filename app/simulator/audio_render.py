"""Outputs of the audio endpoints: real, playable sound, deterministic by seed and prompt.

- text_to_speech: one tone "syllable" per few letters of the text, word by word, with pauses at
  spaces and longer ones at punctuation, in a pitch the voice and seed pick: its length follows
  the text (and the speed asked).
- sound_effect: filtered noise under a chirp pattern the prompt and seed pick, for the
  duration asked (or one the prompt's length suggests).
- voice_isolation, voice_dubbing, speech_to_speech: the input's own audio track, transformed:
  isolation keeps its loudness envelope on a clean band, dubbing and speech-to-speech drive a
  voice (the target language's or the preset's) with it. Same length as the input.
- video_to_audio: a sound bed as long as the input video.

No numpy: samples are Python floats, encoded by PyAV (its FFmpeg carries the MP3, FLAC, Opus
and PCM encoders). An input the simulator may not read becomes a short tone pattern.
"""

import hashlib
import io
import math
import random
from array import array
from pathlib import Path

import av

RATE = 24_000  # Hz: enough for speech and cheap to make in pure Python
MAX_SECONDS = 120.0
# PyAV's container and encoder per output suffix; Opus runs at 48 kHz only.
ENCODERS = {
    "mp3": ("mp3", "libmp3lame", None),
    "wav": ("wav", "pcm_s16le", None),
    "flac": ("flac", "flac", None),
    "ogg": ("ogg", "libopus", 48_000),
}
Samples = list[float]
Source = tuple[Path | io.BytesIO, str]


def seeded(*parts: object) -> random.Random:
    """A random source that the same parts always start the same way."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _tone(
    seconds: float, pitch: float, rate: int, harmonics: tuple[float, ...] = (1.0, 0.5, 0.25)
) -> Samples:
    """A voiced tone with a soft attack and release, so syllables do not click."""
    count = max(1, int(seconds * rate))
    edge = max(1, min(count // 4, rate // 100))
    step = 2 * math.pi * pitch / rate
    out = []
    for i in range(count):
        value = sum(a * math.sin(step * i * (n + 1)) for n, a in enumerate(harmonics))
        out.append(value * min(1.0, i / edge, (count - i) / edge) * 0.35)
    return out


def speech(text: str, seed: int, voice: str, speed: float, rate: int = RATE) -> Samples:
    """Words as runs of syllables: a pitch per voice, a contour per word, pauses between."""
    rng = seeded("voice", voice, seed)
    base = rng.uniform(110.0, 260.0)
    pace = 1 / max(0.25, min(4.0, speed or 1.0))
    out: Samples = []
    for word in text.split() or ["…"]:
        letters = [c for c in word if c.isalnum()] or ["."]
        shape = seeded("word", word.lower(), seed)
        per = 3 if word.isascii() else 1  # a CJK character is a syllable of its own
        for start in range(0, len(letters), per):
            pitch = base * shape.uniform(0.8, 1.3)
            out += _tone(0.06 * len(letters[start : start + 3]) * pace + 0.04, pitch, rate)
        pause = 0.28 if word[-1] in ".!?;:,。！？，" else 0.09
        out += [0.0] * int(pause * pace * rate)
        if len(out) >= MAX_SECONDS * rate:
            break
    return out[: int(MAX_SECONDS * rate)]


def effect(prompt: str, seed: int, seconds: float, rate: int = RATE) -> Samples:
    """Noise through a one-pole filter, under chirps: both picked by the prompt and seed."""
    rng = seeded("effect", prompt, seed)
    count = int(min(seconds, MAX_SECONDS) * rate)
    smooth, low, out = rng.uniform(0.02, 0.4), 0.0, []
    chirp_every = int(rng.uniform(0.15, 0.6) * rate)
    start_pitch, end_pitch = rng.uniform(200, 900), rng.uniform(300, 1800)
    phase = 0.0
    for i in range(count):
        low += smooth * (rng.uniform(-1, 1) - low)
        place = (i % chirp_every) / chirp_every
        pitch = start_pitch + (end_pitch - start_pitch) * place
        phase += 2 * math.pi * pitch / rate
        out.append(0.3 * low + 0.25 * math.sin(phase) * (1 - place) ** 2)
    return out


def envelope(samples: Samples, rate: int = RATE) -> Samples:
    """How loud the input is at each sample (a follower with a 10 ms release)."""
    fall = math.exp(-1 / (0.01 * rate))
    level, out = 0.0, []
    for value in samples:
        level = max(abs(value), level * fall)
        out.append(level)
    return out


def revoiced(samples: Samples, pitch: float, rate: int = RATE) -> Samples:
    """The input's loudness driving a voice at `pitch`: its timing, another voice."""
    step = 2 * math.pi * pitch / rate
    return [
        level * (math.sin(step * i) + 0.4 * math.sin(2 * step * i)) * 0.8
        for i, level in enumerate(envelope(samples, rate))
    ]


def isolated(samples: Samples) -> Samples:
    """A band-limited copy with the quiet parts (the background) gated out."""
    low = high_in = high = 0.0
    levels = envelope(samples)
    gate = 0.2 * max(levels, default=0.0)
    out = []
    for value, level in zip(samples, levels, strict=True):
        low += 0.35 * (value - low)  # under ~3 kHz
        high = 0.97 * (high + low - high_in)  # over ~100 Hz
        high_in = low
        out.append(high if level >= gate else 0.0)
    return out


def audio_of(source: Source, rate: int = RATE) -> Samples | None:
    """The first audio track as mono samples at `rate`; None when the file has none."""
    given = source[0]
    if isinstance(given, io.BytesIO):
        given.seek(0)
    with av.open(given if isinstance(given, io.BytesIO) else str(given), format=source[1]) as f:
        if not f.streams.audio:
            return None
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        out = array("h")
        limit = int(MAX_SECONDS * rate)
        for frame in f.decode(audio=0):
            for mono in resampler.resample(frame):
                out.frombytes(bytes(mono.planes[0])[: mono.samples * 2])
            if len(out) >= limit:
                break
        return [v / 32768 for v in out[:limit]]


def encode(
    samples: Samples, suffix: str, path: Path, rate: int = RATE, out_rate: int | None = None
) -> None:
    """The samples (at `rate`) as an audio file of `suffix`'s type at `out_rate` (Opus: 48 kHz
    always), written whole or not at all."""
    container, codec, fixed_rate = ENCODERS[suffix]
    out_rate = fixed_rate or out_rate or rate
    pcm = array("h", (max(-32767, min(32767, int(v * 32767))) for v in samples or [0.0]))
    temporary = path.with_suffix(".part")
    try:
        with av.open(str(temporary), "w", format=container) as out:
            stream = out.add_stream(codec, rate=out_rate, layout="mono")
            resampler = av.AudioResampler(
                format=stream.codec_context.codec.audio_formats[0].name,
                layout="mono",
                rate=out_rate,
            )
            for start in range(0, len(pcm), 4096):
                piece = pcm[start : start + 4096]
                frame = av.AudioFrame(format="s16", layout="mono", samples=len(piece))
                frame.planes[0].update(piece.tobytes())
                frame.sample_rate, frame.pts = rate, start
                for ready in resampler.resample(frame):
                    out.mux(stream.encode(ready))
            for ready in resampler.resample(None):
                out.mux(stream.encode(ready))
            out.mux(stream.encode(None))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
