"""The object store: the same behaviour from a folder and from a real S3 server (SeaweedFS)."""

import os
import uuid
from pathlib import Path

import pytest

from app.storage.objects import LocalObjects, ObjectStore, S3Objects, open_object_store
from tests.cutting_proxy import cutting_proxy
from tests.engines import SeaweedServer

VIDEO = os.urandom(3 * 1024 * 1024 + 17)  # over one 256 KiB chunk many times, odd length


@pytest.fixture(params=["local", "s3"])
def objects(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalObjects(tmp_path / "objects")
    seaweed: SeaweedServer = request.getfixturevalue("seaweed")
    env = seaweed.env()
    return open_object_store(env["CONSOLE_OBJECT_STORE"], tmp_path, env)


def a_file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / f"upload-{uuid.uuid4().hex}"
    path.write_bytes(data)
    return path


def test_an_object_round_trips_and_is_deleted(objects: ObjectStore) -> None:
    assert objects.size("frames/none.png") is None
    assert objects.get_bytes("frames/none.png") is None
    objects.put_bytes("frames/a.png", b"png bytes")
    assert objects.get_bytes("frames/a.png") == b"png bytes"
    assert objects.size("frames/a.png") == 9
    objects.put_bytes("frames/a.png", b"again")  # a rewrite replaces it whole
    assert objects.get_bytes("frames/a.png") == b"again"
    objects.delete("frames/a.png")
    objects.delete("frames/a.png")  # deleting what is gone is fine
    assert objects.size("frames/a.png") is None


def test_a_file_is_stored_whole_and_taken(objects: ObjectStore, tmp_path: Path) -> None:
    source = a_file(tmp_path, VIDEO)
    objects.put_file("videos/t1.mp4", source)
    assert not source.exists()
    assert objects.size("videos/t1.mp4") == len(VIDEO)
    assert objects.get_bytes("videos/t1.mp4") == VIDEO


@pytest.mark.parametrize(
    ("start", "end"), [(0, 1), (0, len(VIDEO)), (1000, 700_000), (len(VIDEO) - 5, len(VIDEO))]
)
def test_a_range_reads_exactly_those_bytes(
    objects: ObjectStore, tmp_path: Path, start: int, end: int
) -> None:
    objects.put_file("videos/r.mp4", a_file(tmp_path, VIDEO))
    assert b"".join(objects.read_range("videos/r.mp4", start, end)) == VIDEO[start:end]


def test_a_cut_upload_leaves_nothing_under_its_key(seaweed: SeaweedServer, tmp_path: Path) -> None:
    """The connection to S3 drops part-way through the upload, on every retry."""
    env = seaweed.env()
    with cutting_proxy(seaweed.s3_port, cut_after_bytes=256 * 1024) as port:
        cut = S3Objects(
            env["CONSOLE_OBJECT_STORE"], {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
        )
        with pytest.raises(Exception):  # noqa: B017 - obstore's error for a dropped connection
            cut.put_file("videos/cut.mp4", a_file(tmp_path, VIDEO))
    whole = open_object_store(env["CONSOLE_OBJECT_STORE"], tmp_path, env)
    assert whole.size("videos/cut.mp4") is None
    listed = whole.keys("videos/")
    assert listed == [], f"no final key and no stray part: {listed}"


def test_an_object_store_url_must_be_s3(tmp_path: Path) -> None:
    assert isinstance(open_object_store("", tmp_path, {}), LocalObjects)
    with pytest.raises(ValueError, match="s3://"):
        open_object_store("gs://bucket/prefix", tmp_path, {})
