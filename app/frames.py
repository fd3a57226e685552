"""Frames stored once by content hash, with a small thumbnail for the page.

The form refers to a frame by its sha256 rather than carrying megabytes of data URI, so a form
re-rendered with an error keeps both frames, and history can reuse them later.
"""

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from app.images import PreparedImage, data_uri

SHA_PATTERN = re.compile(r"^[0-9a-f]{64}$")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
THUMB_SIDE = 320


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
        return f"frame:{self.sha256}"


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
