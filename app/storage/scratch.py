"""Scratch files of video copies in flight: one per task, locked while it is written. The
local object store writes frames through the same locked `.part` files (app/storage/objects.py).

A copy streams into `scratch/<video name>.part` before the object store takes it. A process
killed mid-copy (kill -9, the OOM killer, a power cut) runs no `finally`, so that file stays.
Two things keep such leftovers from piling up:

- the name is the task's own, so a resumed copy truncates and reuses the file its dead
  predecessor left instead of adding a second one beside it;
- the writer holds an exclusive lock (flock) on the file while it exists. The kernel drops the
  lock with the process, so the sweep at start-up can tell a dead copy's file (the lock is free:
  removed) from one that another live process on this disk is still writing (left alone).

Where the platform has no flock (Windows), files are not locked and the sweep removes what the
file system lets it remove.
"""

import contextlib
import logging
import os
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
SUFFIX = ".part"


class ScratchBusy(Exception):
    """Another live process is writing this scratch file."""


def _lock(handle: BinaryIO) -> bool:
    """Take the file's exclusive lock without waiting; False when another process has it."""
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _still_named(handle: BinaryIO, path: Path) -> bool:
    """Whether `path` still names the file `handle` has open (not removed or replaced since)."""
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False


def claim(path: Path) -> BinaryIO:
    """Open `path` for writing from its start, locked; reuses a dead copy's file of that name."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    handle = os.fdopen(fd, "r+b")
    if not _lock(handle) or not _still_named(handle, path):
        handle.close()
        raise ScratchBusy(path.name)
    handle.truncate(0)
    return handle


def release(handle: BinaryIO, path: Path) -> None:
    """Remove the file (when `path` is still this one: it may have been moved into the store)
    and drop the lock."""
    with contextlib.suppress(OSError):
        if _still_named(handle, path):
            path.unlink()
    handle.close()


def sweep(folder: Path) -> int:
    """Remove every scratch file no live process holds; returns how many were removed."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            handle = path.open("rb")
        except OSError:
            continue  # gone meanwhile
        with handle:
            if _lock(handle) and _still_named(handle, path):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    if removed:
        log.info("removed %d .part file(s) left by interrupted writes in %s", removed, folder)
    return removed
