"""Checking and normalising a person's image before it becomes a data URI.

An upload is untrusted bytes: Pillow must recognise it as a real JPEG, PNG or WebP (whatever
its name says), within a pixel limit that stops decompression bombs. The image that goes
upstream is upright (EXIF orientation applied) and fits Runway's 5 MB data-URI limit, re-encoded
or scaled down when it would not, with a note saying so.
"""

import base64
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from app.i18n import gettext as _
from app.validation import DATA_URI_MAX_CHARS

MAX_PIXELS = 40_000_000
MAX_SIDE = 8000
EXIF_ORIENTATION = 0x0112
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class BadImage(ValueError):
    """The bytes are not an image the console will send; the message is for the person."""


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    media_type: str
    width: int
    height: int
    original_bytes: int
    note: str = ""

    @property
    def data_uri(self) -> str:
        return data_uri(self.data, self.media_type)


def data_uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def data_uri_length(byte_count: int, media_type: str) -> int:
    return len(f"data:{media_type};base64,") + 4 * ((byte_count + 2) // 3)


def _open_checked(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise BadImage(_("{w}×{h} is too many pixels", w=image.width, h=image.height))
            if image.format == "JPEG" and data_uri_length(len(data), "image/jpeg") > (
                DATA_URI_MAX_CHARS
            ):
                # It must be re-encoded smaller anyway: decoding at half scale needs a quarter
                # of the memory and time (JPEG's DCT scaling).
                image.draft("RGB", (image.width // 2, image.height // 2))
            image.load()
        except BadImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise BadImage(_("the image has too many pixels")) from exc
        except Exception as exc:
            raise BadImage(_("not a JPEG, PNG or WebP image (or a damaged one)")) from exc
    return image


def _encode(image: Image.Image, kind: str, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    if kind == "PNG":
        image.save(buffer, "PNG", optimize=False)
    else:
        rgb = image if image.mode == "RGB" else image.convert("RGB")  # no copy when it is RGB
        rgb.save(buffer, "JPEG", quality=quality)  # optimize=True buffers every coefficient
    return buffer.getvalue()


def prepare_image(data: bytes) -> PreparedImage:
    """Return an upright image whose data URI fits the upstream limit."""
    image = _open_checked(data)
    kind = image.format or "PNG"
    notes = []
    upright = image
    if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
        upright = ImageOps.exif_transpose(image)
        notes.append(_("rotated upright from its EXIF orientation"))
    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        notes.append(_("scaled down to {w}×{h}", w=upright.width, h=upright.height))
    out, media_type = data, FORMATS[kind]
    if notes:
        out = _encode(upright, kind)
    while data_uri_length(len(out), media_type) > DATA_URI_MAX_CHARS:
        if media_type != "image/jpeg":
            media_type, kind = "image/jpeg", "JPEG"
            out = _encode(upright, kind)
            notes.append(_("re-encoded as JPEG to fit the 5 MB limit"))
            continue
        upright.thumbnail((int(upright.width * 0.8), int(upright.height * 0.8)))
        out = _encode(upright, kind, quality=85)
        notes.append(
            _("scaled to {w}×{h} to fit the 5 MB limit", w=upright.width, h=upright.height)
        )
    note = "; ".join(dict.fromkeys(notes[:1] + notes[-1:])) if notes else ""
    return PreparedImage(out, media_type, upright.width, upright.height, len(data), note)
