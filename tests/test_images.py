"""Upload checks: real images only, bombs refused, upright, within the 5 MB data-URI limit."""

import io
import os

import pytest
from PIL import Image

from app.images import BadImage, data_uri_length, prepare_image
from app.validation import DATA_URI_MAX_CHARS
from tests.helpers import image_bytes


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_real_images_pass_untouched(fmt: str) -> None:
    data = image_bytes((320, 200), fmt=fmt)
    prepared = prepare_image(data)
    assert prepared.data == data
    assert (prepared.width, prepared.height) == (320, 200)
    assert prepared.note == ""


@pytest.mark.parametrize(
    "payload",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<html><body>hi</body></html>",
        b"MZ\x90\x00" + b"\x00" * 200,
        b"GIF89a" + b"\x00" * 100,
        b"",
    ],
)
def test_things_that_are_not_jpeg_png_webp_are_refused(payload: bytes) -> None:
    with pytest.raises(BadImage):
        prepare_image(payload)


def test_a_truncated_png_is_refused() -> None:
    with pytest.raises(BadImage):
        prepare_image(image_bytes((400, 400))[:200])


def test_a_decompression_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    with pytest.raises(BadImage):
        prepare_image(buffer.getvalue())


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (400, 200), (10, 20, 30))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    prepared = prepare_image(buffer.getvalue())
    assert (prepared.width, prepared.height) == (200, 400)
    assert "EXIF" in prepared.note


def test_an_image_too_big_for_a_data_uri_is_shrunk_to_fit_and_says_so() -> None:
    noise = Image.frombytes("RGB", (2400, 1600), os.urandom(2400 * 1600 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert data_uri_length(len(buffer.getvalue()), "image/png") > DATA_URI_MAX_CHARS
    prepared = prepare_image(buffer.getvalue())
    assert len(prepared.data_uri) <= DATA_URI_MAX_CHARS
    assert prepared.media_type == "image/jpeg"
    assert "5 MB" in prepared.note
