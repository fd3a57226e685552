"""Checking and normalising a person's image before it becomes a data URI.

An upload is untrusted bytes: Pillow must recognise it as a real JPEG, PNG or WebP (whatever
its name says), within a pixel limit that stops decompression bombs. The image that goes
upstream is upright (EXIF orientation applied) and fits Runway's 5 MB data-URI limit, re-encoded
or scaled down when it would not, with a note saying so.
"""

import base64
import io
import math
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps

from app.catalog.validation import DATA_URI_MAX_CHARS
from app.core.i18n import gettext as _

MAX_PIXELS = 40_000_000
MAX_SIDE = 8000
EXIF_ORIENTATION = 0x0112
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
JPEG_QUALITIES = (90, 85, 80, 75)  # tried in turn before any pixel is given up
LIMIT_BYTES = (DATA_URI_MAX_CHARS - 32) * 3 // 4  # the most bytes a data URI can carry
FULL_MAX_BYTES = 16 * 1024 * 1024  # what Runway takes for an image asset (docs/runway-api.md)


class BadImage(ValueError):
    """The bytes are not an image the console will send; the message is for the person."""


def over_limit_message(limit_mb: float) -> str:
    """Why an upload was refused for its size: the upload route says it, and so does the page
    (frames.js, media.js) when it refuses a file before sending it; one sentence, one limit."""
    return _("the file is over the {mb} MB limit", mb=f"{limit_mb:g}")


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    media_type: str
    width: int
    height: int
    original_bytes: int
    note: str = ""
    # The image as it came, when it was shrunk only to fit a data URI: an upstream that takes
    # uploads gets this instead (app/frames/uploads.py). None when it fit, or had to be turned.
    full: bytes | None = None
    full_type: str = ""

    @property
    def media_type_of_full(self) -> str:
        return self.full_type if self.full is not None else ""


def data_uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def data_uri_length(byte_count: int, media_type: str) -> int:
    return len(f"data:{media_type};base64,") + 4 * ((byte_count + 2) // 3)


def _open_checked(file: BinaryIO, size: int) -> tuple[Image.Image, tuple[int, int]]:
    """The decoded image and its full size (a big JPEG is decoded at half scale)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(file, formats=list(FORMATS))
            full_size = image.size
            if image.width * image.height > MAX_PIXELS:
                raise BadImage(_("{w}×{h} is too many pixels", w=image.width, h=image.height))
            if image.format == "JPEG" and not fits(size, "image/jpeg"):
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
    return image, full_size


def image_type(data: bytes) -> str | None:
    """The media type of the JPEG, PNG or WebP image `data` holds, told by Pillow from its
    header alone (nothing is decoded), or None: the bytes decide, never the file's name."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                return FORMATS.get(image.format or "")
        except Exception:
            return None


def fits(byte_count: int, media_type: str) -> bool:
    return data_uri_length(byte_count, media_type) <= DATA_URI_MAX_CHARS


def _encode(image: Image.Image, kind: str, quality: int = 90) -> bytes:
    """In the format it is labelled with (a WebP stays WebP, alpha and all); JPEG callers pass
    an RGB image (`_as_rgb`)."""
    buffer = io.BytesIO()
    if kind == "PNG":
        image.save(buffer, "PNG", optimize=False)
    else:
        image.save(buffer, kind, quality=quality)  # optimize=True buffers every coefficient
    return buffer.getvalue()


def _as_rgb(image: Image.Image) -> Image.Image:
    """JPEG has no alpha or palette; RGB images are used as they are, without a copy."""
    return image if image.mode == "RGB" else image.convert("RGB")


def _fit_as_jpeg(image: Image.Image, kind: str, notes: list[str]) -> tuple[bytes, Image.Image]:
    """A JPEG within the limit: every pixel kept at a lower quality if that is enough, else
    scaled down once by the measured excess (a second pass only if that fell short).

    Lowering quality first needs no second copy of the pixels, which keeps a 12-megapixel
    upload within a few times its size in memory; scaling needs the old and the new image.
    """
    image = _as_rgb(image)
    out = b""
    for quality in JPEG_QUALITIES:
        out = _encode(image, "JPEG", quality)
        if fits(len(out), "image/jpeg"):
            if kind != "JPEG":
                notes.append(_("re-encoded as JPEG to fit the 5 MB limit"))
            elif quality < JPEG_QUALITIES[0] or not notes:
                notes.append(_("re-encoded at a lower JPEG quality to fit the 5 MB limit"))
            return out, image
    while not fits(len(out), "image/jpeg"):
        scale = min(0.9, max(0.5, math.sqrt(LIMIT_BYTES / len(out)) * 0.95))
        size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
        out = _encode(image, "JPEG", JPEG_QUALITIES[-1])
    notes.append(_("scaled to {w}×{h} to fit the 5 MB limit", w=image.width, h=image.height))
    return out, image


def prepare_image(source: bytes | BinaryIO) -> PreparedImage:
    """Return an upright image whose data URI fits the upstream limit.

    An upload is passed as its (spooled, on-disk) file, so its bytes are never all held in
    memory next to the decoded pixels; they are read whole only when they go out unchanged.
    """
    file = io.BytesIO(source) if isinstance(source, bytes) else source
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    image, full_size = _open_checked(file, size)
    kind = image.format or "PNG"
    notes = []
    if image.size != full_size:
        notes.append(_("scaled to {w}×{h} to fit the 5 MB limit", w=image.width, h=image.height))
    upright = image
    if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
        upright = ImageOps.exif_transpose(image)
        notes.append(_("rotated upright from its EXIF orientation"))
    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        notes.append(_("scaled down to {w}×{h}", w=upright.width, h=upright.height))
    media_type = FORMATS[kind]
    as_it_came = upright is image and max(full_size) <= MAX_SIDE and size <= FULL_MAX_BYTES
    out = b""
    if fits(size, media_type):  # as it came, or re-encoded alike once turned or scaled
        file.seek(0)
        out = file.read() if not notes else _encode(upright, kind)
    if not out or not fits(len(out), media_type):
        media_type = "image/jpeg"
        out, upright = _fit_as_jpeg(upright, kind, notes)
    note = "; ".join(dict.fromkeys(notes[:1] + notes[-1:])) if notes else ""
    full = None
    if as_it_came and not fits(size, FORMATS[kind]):  # shrunk for the data URI alone
        file.seek(0)
        full = file.read()
    return PreparedImage(
        out, media_type, upright.width, upright.height, size, note, full, FORMATS[kind]
    )
