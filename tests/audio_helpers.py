"""Audio for tests: a spoken-like WAV, a video with a sound track, and what a file holds."""

import io
import math
from array import array

import av
from PIL import Image

RATE = 16_000


def tone_wav(seconds: float = 1.5, pitch: float = 220.0) -> bytes:
    """A WAV of tone bursts with gaps (speech-like loud and quiet parts)."""
    count = int(seconds * RATE)
    pcm = array(
        "h",
        (
            int(12000 * math.sin(2 * math.pi * pitch * i / RATE)) if (i // 2400) % 2 == 0 else 0
            for i in range(count)
        ),
    )
    out = io.BytesIO()
    with av.open(out, "w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=RATE, layout="mono")
        frame = av.AudioFrame(format="s16", layout="mono", samples=count)
        frame.planes[0].update(pcm.tobytes())
        frame.sample_rate, frame.pts = RATE, 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return out.getvalue()


def video_with_sound(seconds: float = 2.0) -> bytes:
    """An MP4 of grey frames at 8 fps with an AAC tone as long as the frames."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        picture = container.add_stream("libx264", rate=8)
        picture.width, picture.height, picture.pix_fmt = 64, 64, "yuv420p"
        sound = container.add_stream("aac", rate=RATE, layout="mono")
        for _ in range(int(seconds * 8)):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 64), (90, 90, 90)))
            for packet in picture.encode(frame.reformat(format="yuv420p")):
                container.mux(packet)
        for packet in picture.encode():
            container.mux(packet)
        with av.open(io.BytesIO(tone_wav(seconds)), format="wav") as wav:
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=RATE)
            for frame in wav.decode(audio=0):
                for ready in resampler.resample(frame):
                    ready.pts = None
                    container.mux(sound.encode(ready))
        container.mux(sound.encode(None))
    return out.getvalue()


def audio_facts(data: bytes) -> tuple[str, float]:
    """A file's container name and its sound's length in seconds, counted from decoded
    samples (not the header's guess)."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return container.format.name, samples / stream.rate


def pcm(data: bytes) -> bytes:
    """The decoded sound as mono 16-bit samples, to compare two files' sound."""
    with av.open(io.BytesIO(data)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        out = bytearray()
        for frame in container.decode(audio=0):
            for ready in resampler.resample(frame):
                out += bytes(ready.planes[0])[: ready.samples * 2]
        return bytes(out)


def sample_rate(data: bytes) -> int:
    with av.open(io.BytesIO(data)) as container:
        return container.streams.audio[0].rate
