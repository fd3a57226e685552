"""Where uploaded files live: the data dir's `uploads/` folder, one file and its facts per
upload. Kept apart from the routes so the renderer can read uploads without importing them."""

import json
import re
import time
from pathlib import Path
from typing import Any

URI = re.compile(r"^runway://uploads/([0-9a-f-]{36})$")


def _folder(root: Path) -> Path:
    folder = root / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(root: Path, uri: str) -> Path | None:
    """The file behind a `runway://` URI, or None when it is unknown or has expired."""
    match = URI.match(uri)
    if match is None:
        return None
    path = _folder(root) / match.group(1)
    try:
        meta = json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return None
    return path if meta.get("expires", 0) > time.time() and path.exists() else None


def unknown_uploads(root: Path, uris: list[object]) -> list[str]:
    """The `runway://` URIs among `uris` that name no live upload."""
    return [
        uri
        for uri in uris
        if isinstance(uri, str) and uri.startswith("runway://") and upload_path(root, uri) is None
    ]


def sweep_expired(root: Path, now: float | None = None) -> None:
    """Remove the uploads past their day (file and facts) and what a writer killed mid-save
    left an hour ago: nothing else removes them, and a URI past its day is refused anyway."""
    now = time.time() if now is None else now
    folder = _folder(root)
    for facts in folder.glob("*.json"):
        try:
            expired = json.loads(facts.read_text()).get("expires", 0) <= now
        except (OSError, ValueError):
            expired = True
        if expired:
            (folder / facts.stem).unlink(missing_ok=True)
            facts.unlink(missing_ok=True)
    for part in folder.glob("*.part"):
        try:
            if part.stat().st_mtime < now - 3600:
                part.unlink(missing_ok=True)
        except OSError:
            continue


def save_upload(root: Path, upload_id: str, data: bytes, meta: dict[str, Any]) -> None:
    """Keep an upload's bytes, then its facts: a reader sees both or neither."""
    path = _folder(root) / upload_id
    path.with_suffix(".part").write_bytes(data)
    path.with_suffix(".part").replace(path)
    path.with_suffix(".json").write_text(json.dumps(meta))
