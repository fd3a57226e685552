"""Render the simulator's output: a real H.264 MP4 made from the given frames.

The video has the model's own output size for the ratio at 24 fps, so a rehearsal on the
simulator looks like the real thing. The camera moves over the first frame along a path the
seed chose (see camera.py) and the last frame, when given, fades in on the same path. The
frames are kept a little larger than the video, so a push-in still shows real detail rather
than stretched pixels.
"""

import io
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont, ImageOps

from app.simulator.camera import CameraPath
from app.simulator.planes import Planes

FPS = 24  # as Runway's own outputs
PRESET = "veryfast"
MAX_PIXELS = 1920 * 1080
ASPECT_ONLY_BELOW = 64  # `16:9` names a shape; `1280:768` names pixels
AUTO_SHORT_SIDE = 720
SMPTE_170M, LIMITED_RANGE = 6, 1  # FFmpeg's numbers for BT.601 (NTSC) and 16..235
SOURCE_SCALE = 1.25  # frames are kept this much larger than the video, for the push-ins
WATERMARK_TEXT = "Runway · simulated"
SAFE_SHARE = 0.44  # of each side, in the middle: in view in every camera window (1/1.35 = 74 %)


def output_size(ratio_w: int, ratio_h: int) -> tuple[int, int]:
    """The model's own output size for a ratio: `1280:768` is 1280×768 pixels, as on Runway.

    An aspect-only ratio (`16:9`) is rendered at 720p in its shape. A larger ratio than 1080p's
    pixel count (the 4K partner models) is scaled down to that count: a 4K render would take a
    shared machine minutes, and a rehearsal needs the shape, not the pixels. Both sides are
    even, since H.264 in yuv420p needs it.
    """
    if max(ratio_w, ratio_h) < ASPECT_ONLY_BELOW:
        scale = AUTO_SHORT_SIDE / min(ratio_w, ratio_h)
    else:
        scale = min(1.0, (MAX_PIXELS / (ratio_w * ratio_h)) ** 0.5)
    return (max(2, round(ratio_w * scale / 2) * 2), max(2, round(ratio_h * scale / 2) * 2))


def source_size(size: tuple[int, int]) -> tuple[int, int]:
    """How large the frames are kept for a video of `size`."""
    return (round(size[0] * SOURCE_SCALE), round(size[1] * SOURCE_SCALE))


def placeholder_frame(label: str, size: tuple[int, int], hue: int = 0) -> Image.Image:
    """A frame for an image the simulator will not fetch: it names the URL instead."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(40 + 120 * y / height)
        draw.line([(0, y), (width, y)], fill=((shade + hue) % 256, 60, 160 - shade // 2))
    # In the middle, inside what every camera window keeps in view (camera.py's closest zoom,
    # 1.35, shows 74 % of each side, wherever it pans): at a tenth from the left it was cut.
    font_size = max(10, height // 28)
    while True:
        font = ImageFont.load_default(size=font_size)
        chars = max(12, int(width * SAFE_SHARE / (font_size * 0.55)))
        text = "Image URL (not fetched by the simulator):\n" + "\n".join(
            textwrap.wrap(label, width=chars)[:6]
        )
        left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, spacing=6)
        fits = right - left <= width * SAFE_SHARE and bottom - top <= height * SAFE_SHARE
        if fits or font_size <= 8:
            break
        font_size -= 2
    at = ((width - (right - left)) / 2 - left, (height - (bottom - top)) / 2 - top)
    draw.multiline_text(at, text, fill=(255, 255, 255), spacing=6, font=font)
    return image


def load_frame(data: bytes, size: tuple[int, int]) -> Image.Image:
    """Decode an image, apply its EXIF orientation and cover-crop it to `size`."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


@dataclass(frozen=True)
class Mark:
    """The watermark, drawn once per video and pasted on every frame."""

    planes: Planes
    mask: Image.Image
    at: tuple[int, int]


def make_mark(size: tuple[int, int]) -> Mark:
    """The mark a `watermark: true` task carries: a label on a dark pill in the lower right,
    where Runway's own watermarked outputs carry theirs."""
    width, height = size
    font = ImageFont.load_default(size=max(10, height // 24))
    left, top, right, bottom = font.getbbox(WATERMARK_TEXT)
    pad = max(4, height // 60)
    patch_size = (right - left + 2 * pad, bottom - top + 2 * pad)
    patch = Image.new("RGBA", patch_size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(patch)
    draw.rounded_rectangle((0, 0, patch_size[0] - 1, patch_size[1] - 1), pad, (0, 0, 0, 150))
    draw.text((pad - left, pad - top), WATERMARK_TEXT, font=font, fill=(255, 255, 255, 235))
    margin = max(6, height // 30)
    at = ((width - patch_size[0] - margin) // 2 * 2, (height - patch_size[1] - margin) // 2 * 2)
    return Mark(Planes.from_rgb(patch.convert("RGB")), patch.getchannel("A"), at)


def render_frames(
    first: Image.Image,
    last: Image.Image | None,
    size: tuple[int, int],
    count: int,
    camera: CameraPath,
    marked: bool = False,
) -> Iterator[Planes]:
    """Yield the `count` pictures of the video, one at a time (a whole video would not fit
    comfortably in memory at full size)."""
    mark = make_mark(size) if marked else None
    start = Planes.from_rgb(first)
    end = Planes.from_rgb(last) if last is not None else None
    for index in range(count):
        t = index / max(1, count - 1)
        quad = camera.window(t)
        mix = camera.fade_in(t) if end is not None else 0.0
        picture = start.shot(quad, size) if mix < 1 else None
        if end is not None and mix > 0:
            later = end.shot(quad, size)
            picture = later if picture is None else picture.blend(later, mix)
        assert picture is not None
        if mark is not None:
            picture.paste(mark.planes, mark.mask, mark.at)
        yield picture


class RenderStopped(Exception):
    """The simulator is shutting down: a half-made video is thrown away."""


def render_video(
    first: Image.Image,
    last: Image.Image | None,
    size: tuple[int, int],
    seconds: int,
    path: Path,
    camera: CameraPath,
    watermark: bool = False,
    stop: threading.Event | None = None,
) -> None:
    """Write an MP4 of `seconds` to `path` (via a temporary name, so no half file is served).
    Setting `stop` abandons it between two frames: a full-size render takes seconds of CPU
    that a stopping console (or the next test) should not pay for."""
    temporary = path.with_suffix(".part")
    try:
        _encode(
            render_frames(first, last, size, seconds * FPS, camera, watermark),
            size,
            temporary,
            stop,
        )
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)


def _encode(
    pictures: Iterator[Planes], size: tuple[int, int], path: Path, stop: threading.Event | None
) -> None:
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": PRESET, "crf": "26"}
        # Say what the planes are (BT.601, limited range): a player left to guess picks
        # BT.709 for HD and shifts every colour a little.
        context = stream.codec_context
        context.colorspace = context.color_primaries = context.color_trc = SMPTE_170M
        context.color_range = LIMITED_RANGE
        for picture in pictures:
            if stop is not None and stop.is_set():
                raise RenderStopped
            for packet in stream.encode(picture.frame()):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
