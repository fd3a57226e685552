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
from typing import Any

from PIL import Image

from app.catalog.validation import FieldError, Invalid, prompt_images
from app.core.i18n import gettext as _
from app.frames.images import BadImage, PreparedImage, data_uri, prepare_image
from app.storage.objects import ObjectStore

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
    full_media_type: str = ""  # set when the image as it came is kept too (`read_full`)

    @property
    def ref(self) -> str:
        return frame_ref(self.sha256)


class FrameStore:
    """Objects `frames/<sha>.<ext>`, `<sha>.json` (its facts) and `<sha>.thumb.jpg`.

    The methods block on the object store (a file, or S3), so async code calls them in a
    thread; content addressing makes a frame's bytes immutable, so a put only writes what is
    missing.
    """

    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects

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
            image.media_type_of_full,
        )
        key = self._key(frame)
        if self.objects.size(key) is None:
            self.objects.put_bytes(key, image.data)
        # Checked on its own: a writer killed between the two left the frame without one.
        if self.objects.size(_thumb_key(sha)) is None:
            self.objects.put_bytes(_thumb_key(sha), _thumbnail(image.data))
        if image.full is not None and self.objects.size(_full_key(sha)) is None:
            self.objects.put_bytes(_full_key(sha), image.full)
        facts = json.dumps(frame.__dict__).encode()
        # A frame sent again has these facts already: a read, not a locked write and a rename.
        if self.objects.get_bytes(_facts_key(sha)) != facts:
            self.objects.put_bytes(_facts_key(sha), facts)
        return frame

    def known(self, raw: bytes) -> StoredFrame | None:
        """The frame stored from exactly these bytes, kept as they came (so they were decoded
        and checked when first stored, and need not be again), with its files in place."""
        frame = self.get(hashlib.sha256(raw).hexdigest())
        as_they_came = frame is not None and frame.size_bytes == frame.original_bytes == len(raw)
        if not as_they_came or frame.note or frame.full_media_type:
            return None
        in_place = self.objects.size(self._key(frame)) == len(raw)
        return frame if in_place and self.objects.size(_thumb_key(frame.sha256)) else None

    def get(self, sha: str) -> StoredFrame | None:
        if not SHA_PATTERN.match(sha):
            return None
        facts = self.objects.get_bytes(_facts_key(sha))
        return StoredFrame(**json.loads(facts)) if facts is not None else None

    @staticmethod
    def _key(frame: StoredFrame) -> str:
        return f"frames/{frame.sha256}.{EXTENSIONS[frame.media_type]}"

    def read(self, frame: StoredFrame) -> bytes:
        data = self.objects.get_bytes(self._key(frame))
        if data is None:
            raise FileNotFoundError(self._key(frame))
        return data

    def read_full(self, frame: StoredFrame) -> bytes | None:
        """The image as it came, kept when it was shrunk only to fit a data URI."""
        return self.objects.get_bytes(_full_key(frame.sha256)) if frame.full_media_type else None

    def thumbnail(self, sha: str) -> bytes | None:
        return self.objects.get_bytes(_thumb_key(sha)) if SHA_PATTERN.match(sha) else None

    def remove(self, sha: str) -> None:
        """Delete a frame no task uses any more."""
        frame = self.get(sha)
        if frame is None:
            return
        for key in (self._key(frame), _thumb_key(sha), _full_key(sha), _facts_key(sha)):
            self.objects.delete(key)

    def sweep_parts(self) -> int:
        """At start-up: the half-written frames of writers killed mid-write (blocking)."""
        return self.objects.sweep_parts("frames")

    def data_uri(self, frame: StoredFrame) -> str:
        return data_uri(self.read(frame), frame.media_type)


def _facts_key(sha: str) -> str:
    return f"frames/{sha}.json"


def _full_key(sha: str) -> str:
    return f"frames/{sha}.full"


def _thumb_key(sha: str) -> str:
    return f"frames/{sha}.thumb.jpg"


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


def stores_frames(body: dict[str, Any]) -> bool:
    """Whether `inline_frames` will store a frame of this body (one sent as data)."""
    images = prompt_images(body.get("promptImage")) or []
    return any(str(image.get("uri", "")).startswith("data:") for image in images)


def inline_frames(
    store: FrameStore,
    body: dict[str, Any],
    owned: set[str],
    kept: list[StoredFrame] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(body to send, body to store): frames as data URIs for upstream, references at home.

    An uploaded data URI is checked and stored on the way, so history keeps it once, and
    appended to `kept` as soon as it is (a refusal of a later one removes it again). A
    reference is inlined only when it is among the caller's `owned` frames
    (app/frames/owners.py); any other is refused in the words of a frame that is not stored.
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
        sent, stored = _frame_uri(store, image.get("uri"), field, owned, kept)
        send_list.append({**image, "uri": sent})
        store_list.append({**image, "uri": stored})
    to_send["promptImage"], to_store["promptImage"] = send_list, store_list
    return to_send, to_store


def _stored(store: FrameStore, raw: bytes) -> tuple[StoredFrame, bytes]:
    """The frame for an image sent as data, and the bytes that go upstream: the same image
    sent again (a regenerate, a retry) is found by its hash rather than decoded again."""
    frame = store.known(raw)
    if frame is not None:
        return frame, raw
    image = prepare_image(raw)
    return store.put(image), image.data


def _canonical(uri: str, prefix: str, raw: bytes) -> bool:
    """Whether `uri` is `prefix` then `raw` in base64 exactly as an encoder writes it: the
    decoder allows extra padding and stray low bits, which a strict upstream may refuse."""
    payload = uri[len(prefix) :]
    if not uri.startswith(prefix) or len(payload) != 4 * ((len(raw) + 2) // 3):
        return False
    # It decoded to `raw`, so only its last group can differ from the encoder's writing.
    last_group = raw[-(len(raw) % 3 or 3) :]
    return base64.b64encode(last_group).decode() == payload[-4:] if raw else True


def _frame_uri(
    store: FrameStore, uri: object, field: str, owned: set[str], kept: list[StoredFrame] | None
) -> tuple[object, object]:
    """One image's (sent, stored) URI; a URL is passed on as it is."""
    if not isinstance(uri, str):
        return uri, uri
    sha = frame_sha(uri)
    if sha is not None:
        frame = store.get(sha) if sha in owned else None
        if frame is None:
            raise Invalid([FieldError(field, _("this frame is no longer stored; add it again"))])
        return store.data_uri(frame), uri
    if uri.startswith("data:") and ";base64," in uri[:100]:
        try:
            raw = base64.b64decode(uri.partition(",")[2], validate=True)
            frame, sent = _stored(store, raw)
        except (binascii.Error, BadImage) as exc:
            raise Invalid([FieldError(field, _("image data: {error}", error=exc))]) from None
        if kept is not None:
            kept.append(frame)
        if sent is raw and _canonical(uri, f"data:{frame.media_type};base64,", raw):
            return uri, frame.ref  # the same bytes, already in base64 as it writes them
        return data_uri(sent, frame.media_type), frame.ref  # in hand: not read back
    return uri, uri
