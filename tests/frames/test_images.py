"""Upload checks: real images only, bombs refused, upright, within the 5 MB data-URI limit."""

import io
import os

import pytest
from PIL import Image

from app.catalog.validation import DATA_URI_MAX_CHARS
from app.frames.images import BadImage, data_uri, data_uri_length, prepare_image
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
    assert len(data_uri(prepared.data, prepared.media_type)) <= DATA_URI_MAX_CHARS
    assert prepared.media_type == "image/jpeg"
    assert "5 MB" in prepared.note


def test_a_lower_jpeg_quality_is_tried_before_any_pixel_is_given_up() -> None:
    # Noise at 5.2 megapixels: about 4.7 MB as a quality-90 JPEG, over the limit, and about
    # 3.1 MB at quality 75, within it.
    noise = Image.frombytes("RGB", (2600, 2000), os.urandom(2600 * 2000 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=1)
    quality_90 = io.BytesIO()
    noise.save(quality_90, "JPEG", quality=90)
    assert data_uri_length(quality_90.tell(), "image/jpeg") > DATA_URI_MAX_CHARS
    prepared = prepare_image(buffer.getvalue())
    assert (prepared.width, prepared.height) == (2600, 2000), "every pixel kept"
    assert prepared.media_type == "image/jpeg"
    assert len(data_uri(prepared.data, prepared.media_type)) <= DATA_URI_MAX_CHARS
    assert prepared.note == "re-encoded as JPEG to fit the 5 MB limit"


def test_a_file_is_read_as_it_lies_and_gives_what_its_bytes_give(tmp_path) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(image_bytes((300, 200)))
    with path.open("rb") as file:
        from_file = prepare_image(file)
    assert from_file == prepare_image(path.read_bytes())
    assert from_file.data == path.read_bytes(), "an image that fits goes out unchanged"


def test_a_turned_webp_with_alpha_stays_webp() -> None:
    image = Image.new("RGBA", (400, 200), (10, 20, 30, 128))
    exif = image.getexif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", exif=exif)
    prepared = prepare_image(buffer.getvalue())
    assert prepared.media_type == "image/webp"
    assert Image.open(io.BytesIO(prepared.data)).format == "WEBP"
    assert (prepared.width, prepared.height) == (200, 400)
