"""The simulator's video_upscale: the given video, made larger (or given a new frame rate).

Frames are scaled by FFmpeg's own scaler (through PyAV), which is quick even at 1440p, and
encoded again as H.264. A video the simulator may not fetch (an https URL that is not its own
output) becomes a placeholder video that names it, as placeholder frames do.
"""

import io
import threading
from fractions import Fraction
from pathlib import Path

import av

from app.simulator.video import PRESET, RenderStopped

# The short side each `resolution` asks for; Runway's default is 2k.
SHORT_SIDE = {"720p": 720, "1k": 1080, "2k": 1440, "4k": 2160}
DEFAULT_RESOLUTION = "2k"
MAX_PIXELS = 2560 * 1440  # a 4K upscale would take a shared machine minutes
FRAME_RATES = {
    "23_98": Fraction(24000, 1001),
    "29_97": Fraction(30000, 1001),
    "59_94": Fraction(60000, 1001),
}


def upscaled_size(width: int, height: int, resolution: str | None) -> tuple[int, int]:
    """The size a video of `width`×`height` is upscaled to: its short side at the resolution's,
    at most 2560×1440's pixel count, never smaller than it was; both sides even."""
    scale = SHORT_SIDE.get(resolution or DEFAULT_RESOLUTION, 1440) / min(width, height)
    scale = max(1.0, min(scale, (MAX_PIXELS / (width * height)) ** 0.5))
    return (round(width * scale / 2) * 2, round(height * scale / 2) * 2)


def frame_rate(target: str) -> Fraction:
    return FRAME_RATES.get(target) or Fraction(int(target))


def upscale_video(
    source: Path | io.BytesIO,
    container: str,
    path: Path,
    resolution: str | None = None,
    target_rate: Fraction | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Write `source` larger (`resolution`) or at `target_rate` frames a second to `path`.
    `container` is the demuxer (containers.py): FFmpeg never probes what it was given."""
    temporary = path.with_suffix(".part")
    opened = source if isinstance(source, io.BytesIO) else str(source)
    try:
        with av.open(opened, format=container) as given:
            stream_in = given.streams.video[0]
            rate_in = stream_in.average_rate or Fraction(24)
            if target_rate is None:
                size = upscaled_size(stream_in.width, stream_in.height, resolution)
                rate = rate_in
            else:
                size, rate = (stream_in.width // 2 * 2, stream_in.height // 2 * 2), target_rate
            _encode(given.decode(video=0), rate_in, rate, size, temporary, stop)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)


def _encode(
    frames,
    rate_in: Fraction,
    rate: Fraction,
    size: tuple[int, int],
    path: Path,
    stop: threading.Event | None,
) -> None:
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": PRESET, "crf": "24"}
        written = 0
        for index, frame in enumerate(frames):
            if stop is not None and stop.is_set():
                raise RenderStopped
            picture = frame.reformat(size[0], size[1], "yuv420p", interpolation="BICUBIC")
            # A new frame rate repeats or drops frames: as many as the time this one covers.
            due = round((index + 1) * rate / rate_in)
            while written < due:
                picture.pts, picture.time_base = written, 1 / rate
                for packet in stream.encode(picture):
                    out.mux(packet)
                written += 1
        for packet in stream.encode():
            out.mux(packet)
