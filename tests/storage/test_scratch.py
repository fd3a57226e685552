"""Scratch files of video copies: one per task, and only a dead copy's are swept."""

from pathlib import Path

import pytest

from app.storage import scratch


def test_a_claimed_file_is_neither_claimed_twice_nor_swept(tmp_path: Path) -> None:
    path = tmp_path / "task.mp4.part"
    held = scratch.claim(path)
    held.write(b"half a video")
    held.flush()
    with pytest.raises(scratch.ScratchBusy):
        scratch.claim(path)
    assert scratch.sweep(tmp_path) == 0 and path.read_bytes() == b"half a video"
    held.close()  # what the kernel does for a killed process
    assert scratch.sweep(tmp_path) == 1 and not path.exists()


def test_a_resumed_copy_starts_over_in_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "task.mp4.part"
    path.write_bytes(b"left by a killed copy")
    again = scratch.claim(path)
    assert path.read_bytes() == b""
    scratch.release(again, path)
    assert list(tmp_path.iterdir()) == []
