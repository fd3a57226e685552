"""A frame sent again (the same bytes) goes upstream as the data URI it came in, when that URI
is written as a base64 encoder writes it; else re-encoded, since the decoder also takes extra
padding and stray low bits, which a strict upstream may refuse."""

import base64
import io
from pathlib import Path

from PIL import Image

from app.frames.images import prepare_image
from app.frames.refs import FrameStore, inline_frames
from app.storage.objects import LocalObjects


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), (200, 90, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _sent(store: FrameStore, uri: str) -> str:
    to_send, _to_store = inline_frames(store, {"promptImage": uri}, set(), [])
    return to_send["promptImage"][0]["uri"]


def test_the_same_frame_goes_on_as_it_came(tmp_path: Path) -> None:
    store = FrameStore(LocalObjects(tmp_path))
    raw = _png()
    uri = "data:image/png;base64," + base64.b64encode(raw).decode()
    _sent(store, uri)  # stored the first time
    assert store.known(raw) is not None
    again = _sent(store, uri)
    assert again is uri  # not decoded and encoded again
    assert base64.b64decode(again.partition(",")[2]) == raw


def test_a_loosely_written_frame_goes_on_as_an_encoder_writes_it(tmp_path: Path) -> None:
    store = FrameStore(LocalObjects(tmp_path))
    raw = _png()
    while len(raw) % 3 != 1:  # one byte in the last group: two stray bits to set
        raw = raw + b"\0"  # PNG readers ignore bytes after IEND
    store.put(prepare_image(raw))
    assert store.known(raw) is not None
    exact = base64.b64encode(raw).decode()
    loose = exact[:-3] + chr(ord(exact[-3]) + 1) + "=="  # the same bytes, stray low bits set
    assert base64.b64decode(loose, validate=True) == raw
    sent = _sent(store, "data:image/png;base64," + loose)
    assert sent == "data:image/png;base64," + exact
