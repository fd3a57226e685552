"""Pictures as the encoder's own planes: Y, Cb and Cr, chroma at half size (4:2:0), in the
limited range and BT.601 matrix H.264 players expect.

The camera moves over these planes rather than over RGB pictures: at 1280×768 moving an RGB
picture costs PIL about 22 ms a frame and converting it for the encoder about 4 ms more, while
moving the three planes costs about 8 ms and needs no conversion. The conversion is done once
per source frame instead of once per video frame.
"""

from dataclasses import dataclass

import av
from PIL import Image

from app.simulator.camera import Quad

# PIL's YCbCr is JPEG's: BT.601 over the full 0..255. Video uses 16..235 (luma), 16..240 (chroma).
LUMA_RANGE = [round(16 + value * 219 / 255) for value in range(256)]
CHROMA_RANGE = [round(16 + value * 224 / 255) for value in range(256)]
BAND_ROWS = 16


def _half(size: tuple[int, int]) -> tuple[int, int]:
    return (max(1, size[0] // 2), max(1, size[1] // 2))


def _view(plane: Image.Image, quad: Quad, size: tuple[int, int]) -> Image.Image:
    """What the camera sees of `plane` through `quad` (fractions of the plane).

    The quad is a parallelogram: a window whose lower edge has slid sideways (the parallax).
    It is drawn as horizontal bands, each a plain resize of its own box, shifted by the slide
    at its middle: a resize costs PIL less than half an affine transform, filters properly
    when it shrinks, and a band's step is under a pixel, too small to see."""
    width, height = plane.size
    left, top, low_left, bottom, _, _, right, _ = quad
    slide = low_left - left
    rows = size[1] if abs(slide) * width < 0.5 else BAND_ROWS
    if rows >= size[1]:
        box = (left * width, top * height, right * width, bottom * height)
        return plane.resize(size, Image.Resampling.BILINEAR, box=box)
    view = Image.new("L", size)
    for start in range(0, size[1], rows):
        end = min(size[1], start + rows)
        upper, lower = start / size[1], end / size[1]
        shift = slide * (upper + lower) / 2
        box = (
            (left + shift) * width,
            (top + (bottom - top) * upper) * height,
            (right + shift) * width,
            (top + (bottom - top) * lower) * height,
        )
        band = plane.resize((size[0], end - start), Image.Resampling.BILINEAR, box=box)
        view.paste(band, (0, start))
    return view


@dataclass(frozen=True)
class Planes:
    """One picture, ready for the encoder."""

    y: Image.Image
    cb: Image.Image
    cr: Image.Image

    @classmethod
    def from_rgb(cls, picture: Image.Image) -> "Planes":
        y, cb, cr = picture.convert("YCbCr").split()
        half = _half(picture.size)
        return cls(
            y.point(LUMA_RANGE),
            cb.resize(half, Image.Resampling.BOX).point(CHROMA_RANGE),
            cr.resize(half, Image.Resampling.BOX).point(CHROMA_RANGE),
        )

    def shot(self, quad: Quad, size: tuple[int, int]) -> "Planes":
        """The camera's view through `quad`, as a picture of `size` (both sides even)."""
        half = _half(size)
        return Planes(
            _view(self.y, quad, size), _view(self.cb, quad, half), _view(self.cr, quad, half)
        )

    def blend(self, other: "Planes", mix: float) -> "Planes":
        return Planes(
            Image.blend(self.y, other.y, mix),
            Image.blend(self.cb, other.cb, mix),
            Image.blend(self.cr, other.cr, mix),
        )

    def paste(self, mark: "Planes", mask: Image.Image, at: tuple[int, int]) -> None:
        """Draw `mark` over this picture where `mask` (at luma size) is opaque; `at` is even."""
        half_mask = mask.resize(_half(mask.size), Image.Resampling.BOX)
        half_at = (at[0] // 2, at[1] // 2)
        self.y.paste(mark.y, at, mask)
        self.cb.paste(mark.cb, half_at, half_mask)
        self.cr.paste(mark.cr, half_at, half_mask)

    def frame(self) -> av.VideoFrame:
        """The picture as a yuv420p frame (rows padded to the frame's own line size)."""
        frame = av.VideoFrame(self.y.width, self.y.height, "yuv420p")
        for target, plane in zip(frame.planes, (self.y, self.cb, self.cr), strict=True):
            if target.line_size != plane.width:
                padded = Image.new("L", (target.line_size, plane.height))
                padded.paste(plane)
                plane = padded
            target.update(plane.tobytes())
        return frame
