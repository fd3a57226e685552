"""Render the simulator's output: a real H.264 MP4 made from the given frames.

The camera moves over the first frame along a path the seed chose (see camera.py) and the last
frame, when given, fades in on the same path. The frames are kept a little larger than the
video, so a push-in still shows real detail rather than stretched pixels.
"""

import io
import textwrap
from collections.abc import Iterator
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont, ImageOps

from app.simulator.camera import CameraPath, Quad

LONG_SIDE = 640
FPS = 24
SOURCE_SCALE = 1.25  # frames are kept this much larger than the video, for the push-ins
WATERMARK_TEXT = "Runway · simulated"


def output_size(ratio_w: int, ratio_h: int, long_side: int = LONG_SIDE) -> tuple[int, int]:
    """The ratio's shape with its longer side `long_side`, both sides even (yuv420p needs it)."""
    scale = long_side / max(ratio_w, ratio_h)
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
    font_size = max(10, height // 28)
    text = "Image URL (not fetched by the simulator):\n" + "\n".join(
        textwrap.wrap(label, width=max(20, width // font_size * 2))[:6]
    )
    margin = width // 10  # inside what a push-in keeps in view
    font = ImageFont.load_default(size=font_size)
    draw.multiline_text((margin, margin), text, fill=(255, 255, 255), spacing=6, font=font)
    return image


def load_frame(data: bytes, size: tuple[int, int]) -> Image.Image:
    """Decode an image, apply its EXIF orientation and cover-crop it to `size`."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


def watermark_patch(size: tuple[int, int]) -> tuple[Image.Image, tuple[int, int]]:
    """The mark a `watermark: true` task carries: a label on a dark pill in the lower right,
    like the mark Runway's own watermarked outputs carry. Returns the patch and its place."""
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
    return patch, (width - patch_size[0] - margin, height - patch_size[1] - margin)


def _shot(source: Image.Image, quad: Quad, size: tuple[int, int]) -> Image.Image:
    """What the camera sees of `source` through `quad` (in fractions). The quad is always a
    parallelogram (a shear for the parallax), so an affine map does it, a little faster than
    PIL's general QUAD transform."""
    width, height = source.size
    left, top, low_left, bottom, _, _, right, _ = quad
    coefficients = (
        (right - left) * width / size[0],
        (low_left - left) * width / size[1],
        left * width,
        0.0,
        (bottom - top) * height / size[1],
        top * height,
    )
    return source.transform(size, Image.Transform.AFFINE, coefficients, Image.Resampling.BILINEAR)


def render_frames(
    first: Image.Image,
    last: Image.Image | None,
    size: tuple[int, int],
    count: int,
    camera: CameraPath,
    watermark: bool = False,
) -> Iterator[Image.Image]:
    """Yield the `count` pictures of the video, one at a time (a whole video would not fit
    comfortably in memory at full size)."""
    mark = watermark_patch(size) if watermark else None
    for index in range(count):
        t = index / max(1, count - 1)
        quad = camera.window(t)
        mix = camera.fade_in(t) if last is not None else 0.0
        picture = _shot(first, quad, size) if mix < 1 else None
        if last is not None and mix > 0:
            later = _shot(last, quad, size)
            picture = later if picture is None else Image.blend(picture, later, mix)
        assert picture is not None
        if mark is not None:
            picture.paste(mark[0], mark[1], mark[0])
        yield picture


def render_video(
    first: Image.Image,
    last: Image.Image | None,
    size: tuple[int, int],
    seconds: int,
    path: Path,
    camera: CameraPath,
    watermark: bool = False,
) -> None:
    """Write an MP4 of `seconds` to `path` (via a temporary name, so no half file is served)."""
    temporary = path.with_suffix(".part")
    with av.open(str(temporary), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "26"}
        for picture in render_frames(first, last, size, seconds * FPS, camera, watermark):
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    temporary.replace(path)
