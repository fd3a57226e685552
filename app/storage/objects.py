"""Where frames, thumbnails and videos live: a folder, or an S3-compatible bucket.

One small interface with two implementations, so `frames/refs.py` and `media/copies.py` say
what they keep and not where. Unset, files stay under the data dir as they always have; with
`CONSOLE_OBJECT_STORE=s3://bucket/prefix` nothing of a task is on a replica's own disk, so
several replicas serve the same history and a replica's disk can be thrown away.

Both write under a temporary key and move the object to its final key only when it is whole:
a failed or cut upload never leaves an object under the name readers look for. On disk the
temporary `.part` is locked while written (app/storage/scratch.py), so a writer killed mid-write
leaves
one that the start-up sweep can tell from a live writer's on another replica sharing the dir.
The methods block (a file system call, or an S3 request through obstore's sync API), so async
callers run them in a thread, and a ranged read is a plain iterator that a streaming response
pulls from a thread too.
"""

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

from app.storage import scratch

CHUNK = 256 * 1024
# Bounded so that an S3 outage fails a copy in seconds (it is retried later), not minutes.
RETRIES = {"max_retries": 3, "retry_timeout": timedelta(seconds=30)}


class ObjectStore(Protocol):
    """Objects by key (`frames/<sha>.png`, `videos/<id>.mp4`)."""

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def put_file(self, key: str, source: Path) -> None:
        """Store a whole file under `key`; `source` is consumed (moved or uploaded, then
        removed)."""
        ...

    def get_bytes(self, key: str) -> bytes | None: ...

    def size(self, key: str) -> int | None:
        """The object's size, or None when there is none (the `exists` check)."""
        ...

    def read_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes [start, end) of an object, in chunks."""
        ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str) -> list[str]:
        """Every key under a prefix, sorted (for checks and clean-ups, not hot paths)."""
        ...

    def sweep_parts(self, prefix: str) -> int:
        """At start-up: remove the temporaries under `prefix` that dead writers left."""
        ...


def _part_key(key: str) -> str:
    return f"{key}.{secrets.token_hex(6)}.part"


class LocalObjects:
    """Objects as files under one folder (the data dir), moved into place with os.replace."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def _write_whole(self, key: str, write: Callable[[BinaryIO], object]) -> None:
        """Write a locked `<name>.<random>.part` beside the final name, then rename it there:
        readers see the old object or the whole new one, and a writer killed mid-write leaves
        only a `.part` whose lock died with it (`sweep_parts` removes it)."""
        final = self._path(key)
        temporary, handle = self._claim_part(final)
        try:
            write(handle)
            handle.flush()
            os.replace(temporary, final)
        finally:
            scratch.release(handle, temporary)  # removes it unless it was renamed into place

    @staticmethod
    def _claim_part(final: Path, tries: int = 10) -> tuple[Path, BinaryIO]:
        """A new locked `.part` beside `final`. A replica's start-up sweep may remove the file
        between its creation and its lock (the name is random, so no live writer holds it):
        then again under a new name."""
        for _ in range(tries - 1):
            temporary = final.with_name(_part_key(final.name))
            with contextlib.suppress(scratch.ScratchBusy):
                return temporary, scratch.claim(temporary)
        temporary = final.with_name(_part_key(final.name))
        return temporary, scratch.claim(temporary)

    def put_bytes(self, key: str, data: bytes) -> None:
        self._write_whole(key, lambda out: out.write(data))

    def put_file(self, key: str, source: Path) -> None:
        """A rename straight into place when on one file system (the scratch folder is in the
        data dir), so no temporary is left if the process dies here; else a copy beside the
        final name, then a rename."""
        try:
            os.replace(source, self._path(key))
            return
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                source.unlink(missing_ok=True)
                raise
        try:
            with source.open("rb") as data:
                self._write_whole(key, lambda out: shutil.copyfileobj(data, out, CHUNK))
        finally:
            source.unlink(missing_ok=True)

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            return None

    def size(self, key: str) -> int | None:
        try:
            return (self.root / key).stat().st_size
        except FileNotFoundError:
            return None

    def read_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with (self.root / key).open("rb") as handle:
            handle.seek(start)
            left = end - start
            while left > 0 and (chunk := handle.read(min(CHUNK, left))):
                left -= len(chunk)
                yield chunk

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def keys(self, prefix: str) -> list[str]:
        folder = self.root / prefix
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in folder.rglob("*") if p.is_file())

    def sweep_parts(self, prefix: str) -> int:
        return scratch.sweep(self.root / prefix)


class S3Objects:
    """Objects in an S3-compatible bucket under a prefix, through obstore (the `team` extra).

    An upload goes to a temporary key and is renamed (a server-side copy, then a delete) to
    its final key once the upload is whole; a multipart upload that fails is aborted, so
    nothing is left under the final key either way.
    """

    def __init__(self, url: str, env: dict[str, str]) -> None:
        from obstore.store import S3Store  # the team extra: only needed when configured

        parts = urlsplit(url)
        endpoint = env.get("AWS_ENDPOINT_URL") or None
        config: dict[str, Any] = {"region": env.get("AWS_REGION") or "us-east-1"}
        if endpoint:
            config["endpoint"] = endpoint
            config["virtual_hosted_style_request"] = False
        for name, variable in (
            ("access_key_id", "AWS_ACCESS_KEY_ID"),
            ("secret_access_key", "AWS_SECRET_ACCESS_KEY"),
        ):
            if env.get(variable):
                config[name] = env[variable]
        self._store = S3Store(
            parts.netloc,
            prefix=parts.path.strip("/") or None,
            config=config,
            client_options={"allow_http": bool(endpoint and endpoint.startswith("http://"))},
            retry_config=RETRIES,  # type: ignore[arg-type]
        )
        import obstore

        self._obstore = obstore

    def put_bytes(self, key: str, data: bytes) -> None:
        self._put_then_rename(key, data)

    def put_file(self, key: str, source: Path) -> None:
        try:
            self._put_then_rename(key, source)
        finally:
            source.unlink(missing_ok=True)

    def _put_then_rename(self, key: str, content: bytes | Path) -> None:
        temporary = _part_key(key)
        try:
            self._obstore.put(self._store, temporary, content)
            self._obstore.rename(self._store, temporary, key)
        except BaseException:
            with contextlib.suppress(Exception):
                self._obstore.delete(self._store, temporary)
            raise

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return bytes(self._obstore.get(self._store, key).bytes())
        except FileNotFoundError:
            return None

    def size(self, key: str) -> int | None:
        try:
            return int(self._obstore.head(self._store, key)["size"])
        except FileNotFoundError:
            return None

    def read_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        if end <= start:
            return
        answer = self._obstore.get(self._store, key, options={"range": (start, end)})
        for chunk in answer.stream(min_chunk_size=CHUNK):
            yield bytes(chunk)

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._obstore.delete(self._store, key)

    def keys(self, prefix: str) -> list[str]:
        found = self._obstore.list(self._store, prefix=prefix)
        return sorted(str(meta["path"]) for batch in found for meta in batch)

    def sweep_parts(self, prefix: str) -> int:
        """None: a bucket has no locks to tell a dead writer's temporary from a live one on
        another replica (a bucket lifecycle rule on `*.part` is the place for that)."""
        return 0


def open_object_store(url: str, data_dir: Path, env: dict[str, str]) -> ObjectStore:
    """The store a deployment configured: `s3://bucket/prefix`, else the data dir."""
    if not url:
        return LocalObjects(data_dir)
    if urlsplit(url).scheme != "s3" or not urlsplit(url).netloc:
        raise ValueError(f"CONSOLE_OBJECT_STORE must look like s3://bucket/prefix, not {url!r}")
    return S3Objects(url, env)
