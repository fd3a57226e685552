"""Frames stored once by content hash, and the `frame:<sha256>` references that name them.

The form refers to a frame by its sha256 rather than carrying megabytes of data URI, so a form
re-rendered with an error keeps both frames, and history can reuse them later. A stored request
holds references; the body sent upstream holds the frames inlined as data URIs. This module is
the one place that builds, reads and inlines those references.
"""

import base64
import binascii
import copy
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from app.i18n import gettext as _
from app.images import BadImage, PreparedImage, data_uri, prepare_image
from app.validation import FieldError, Invalid, prompt_images

SHA_PATTERN = re.compile(r"^[0-9a-f]{64}$")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
THUMB_SIDE = 320
FRAME_PREFIX = "frame:"


def frame_ref(sha: str) -> str:
    """The reference a request stores in place of a frame's data URI."""
    return f"{FRAME_PREFIX}{sha}"


def frame_sha(uri: object) -> str | None:
    """The sha256 a `frame:` reference names, or None for anything else (a URL, a data URI)."""
    if isinstance(uri, str) and uri.startswith(FRAME_PREFIX):
        return uri[len(FRAME_PREFIX) :]
    return None


@dataclass(frozen=True)
class StoredFrame:
    sha256: str
    media_type: str
    width: int
    height: int
    size_bytes: int
    original_bytes: int
    note: str

    @property
    def ref(self) -> str:
        return frame_ref(self.sha256)


class FrameStore:
    """Files `<sha>.<ext>`, `<sha>.json` (its facts) and `<sha>.thumb.jpg` under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def put(self, image: PreparedImage) -> StoredFrame:
        sha = hashlib.sha256(image.data).hexdigest()
        frame = StoredFrame(
            sha,
            image.media_type,
            image.width,
            image.height,
            len(image.data),
            image.original_bytes,
            image.note,
        )
        path = self.root / f"{sha}.{EXTENSIONS[image.media_type]}"
        if not path.exists():
            self._write(path, image.data)
            self._write(self.root / f"{sha}.thumb.jpg", _thumbnail(image.data))
        self._write(self.root / f"{sha}.json", json.dumps(frame.__dict__).encode())
        return frame

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(path)

    def get(self, sha: str) -> StoredFrame | None:
        if not SHA_PATTERN.match(sha):
            return None
        try:
            return StoredFrame(**json.loads((self.root / f"{sha}.json").read_text()))
        except FileNotFoundError:
            return None

    def path(self, frame: StoredFrame) -> Path:
        return self.root / f"{frame.sha256}.{EXTENSIONS[frame.media_type]}"

    def thumbnail_path(self, sha: str) -> Path | None:
        path = self.root / f"{sha}.thumb.jpg"
        return path if SHA_PATTERN.match(sha) and path.exists() else None

    def remove(self, sha: str) -> None:
        """Delete a frame no task uses any more."""
        frame = self.get(sha)
        if frame is None:
            return
        for path in (self.path(frame), self.root / f"{sha}.json", self.root / f"{sha}.thumb.jpg"):
            path.unlink(missing_ok=True)

    def data_uri(self, frame: StoredFrame) -> str:
        return data_uri(self.path(frame).read_bytes(), frame.media_type)


def _thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (THUMB_SIDE, THUMB_SIDE))  # JPEG decodes at ~thumbnail scale
        image.thumbnail((THUMB_SIDE, THUMB_SIDE))
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def first_frame(request: dict[str, Any]) -> str:
    """The first frame's reference or URL (for thumbnails), or ""."""
    for image in prompt_images(request.get("promptImage")) or []:
        if image.get("position", "first") == "first":
            return str(image.get("uri") or "")
    return ""


def frame_refs(request: dict[str, Any]) -> set[str]:
    """The stored frames a request refers to (their sha256s)."""
    images = prompt_images(request.get("promptImage")) or []
    return {sha for image in images if (sha := frame_sha(image.get("uri"))) is not None}


def has_local_frames(body: dict[str, Any]) -> bool:
    """Whether the body carries image data or stored-frame references (work for a thread).

    Plain URLs pass through untouched, so a URL-only create skips the thread hop.
    """
    images = prompt_images(body.get("promptImage")) or []
    return any(
        isinstance(image.get("uri"), str) and image["uri"].startswith(("data:", FRAME_PREFIX))
        for image in images
    )


def inline_frames(store: FrameStore, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(body to send, body to store): frames as data URIs for upstream, references at home.

    An uploaded data URI is checked and stored on the way, so history keeps it once.
    """
    images = prompt_images(body.get("promptImage"))
    if not images:
        return body, body
    to_send, to_store = copy.deepcopy(body), copy.deepcopy(body)
    send_list, store_list = [], []
    for index, image in enumerate(images):
        field = (
            f"promptImage[{index}].uri" if isinstance(body["promptImage"], list) else "promptImage"
        )
        sent, stored = _frame_uri(store, image.get("uri"), field)
        send_list.append({**image, "uri": sent})
        store_list.append({**image, "uri": stored})
    to_send["promptImage"], to_store["promptImage"] = send_list, store_list
    return to_send, to_store


def _frame_uri(store: FrameStore, uri: object, field: str) -> tuple[object, object]:
    """One image's (sent, stored) URI; a URL is passed on as it is."""
    if not isinstance(uri, str):
        return uri, uri
    sha = frame_sha(uri)
    if sha is not None:
        frame = store.get(sha)
        if frame is None:
            raise Invalid([FieldError(field, _("this frame is no longer stored; add it again"))])
        return store.data_uri(frame), uri
    if uri.startswith("data:") and ";base64," in uri[:100]:
        try:
            raw = base64.b64decode(uri.partition(",")[2], validate=True)
            frame = store.put(prepare_image(raw))
        except (binascii.Error, BadImage) as exc:
            raise Invalid([FieldError(field, _("image data: {error}", error=exc))]) from None
        return store.data_uri(frame), frame.ref
    return uri, uri
