"""Render the simulator's output: a real H.264 MP4 made from the given frames.

A cross-fade from the first frame to the last with a slow zoom, at the requested ratio scaled
so the longer side is 640 px: small and quick to make, yet a real video a browser can play and
a test can decode.
"""

import io
import textwrap
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageOps

LONG_SIDE = 640
FPS = 24
ZOOM = 0.12


def output_size(ratio_w: int, ratio_h: int, long_side: int = LONG_SIDE) -> tuple[int, int]:
    """The ratio's shape with its longer side `long_side`, both sides even (yuv420p needs it)."""
    scale = long_side / max(ratio_w, ratio_h)
    return (max(2, round(ratio_w * scale / 2) * 2), max(2, round(ratio_h * scale / 2) * 2))


def placeholder_frame(label: str, size: tuple[int, int], hue: int = 0) -> Image.Image:
    """A frame for an image the simulator will not fetch: it names the URL instead."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(40 + 120 * y / height)
        draw.line([(0, y), (width, y)], fill=((shade + hue) % 256, 60, 160 - shade // 2))
    text = "Image URL (not fetched by the simulator):\n" + "\n".join(
        textwrap.wrap(label, width=max(20, width // 9))[:6]
    )
    draw.multiline_text((16, 16), text, fill=(255, 255, 255), spacing=6)
    return image


def load_frame(data: bytes, size: tuple[int, int]) -> Image.Image:
    """Decode an image, apply its EXIF orientation and cover-crop it to `size`."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


def _zoomed(image: Image.Image, factor: float, size: tuple[int, int]) -> Image.Image:
    width, height = image.size
    crop_w, crop_h = width / factor, height / factor
    left, top = (width - crop_w) / 2, (height - crop_h) / 2
    box = (left, top, left + crop_w, top + crop_h)
    return image.resize(size, Image.Resampling.BILINEAR, box=box)


def render_video(
    first: Image.Image, last: Image.Image | None, size: tuple[int, int], seconds: int, path: Path
) -> None:
    """Write an MP4 of `seconds` to `path` (via a temporary name, so no half file is served)."""
    frames_total = seconds * FPS
    first = first.resize(size) if first.size != size else first
    end = last.resize(size) if last is not None and last.size != size else last
    temporary = path.with_suffix(".part")
    with av.open(str(temporary), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "26"}
        for index in range(frames_total):
            t = index / max(1, frames_total - 1)
            picture = _zoomed(first, 1 + ZOOM * t, size)
            if end is not None:
                mix = t * t * (3 - 2 * t)
                picture = Image.blend(picture, _zoomed(end, 1 + ZOOM * t, size), mix)
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    temporary.replace(path)
