"""Video copies as database jobs with a lease: one replica copies, a dead one's job is taken
over, and a whole-record save from another replica never undoes a finished copy."""

import time
from collections.abc import AsyncIterator

import pytest

from app.media.leases import VideoLeases
from app.storage.database import Database
from app.storage.task_store import TaskStore
from tests.storage.test_storage import record


@pytest.fixture
async def leases(database_url: str) -> AsyncIterator[VideoLeases]:
    """On SQLite and on a real PostgreSQL."""
    store = TaskStore(Database(database_url))
    await store.database.migrate()
    yield VideoLeases(store)
    await store.database.close()


async def succeeded(leases: VideoLeases, task_id: str = "t1") -> None:
    task = record(task_id)
    task.status, task.output = "SUCCEEDED", ["https://x.test/v.mp4"]
    await leases.storage.add(task)


async def test_one_replica_holds_a_copy_until_its_lease_runs_out(leases: VideoLeases) -> None:
    await succeeded(leases)
    now = time.time()
    assert await leases.claim_video("t1", "a", now, 30)
    assert not await leases.claim_video("t1", "b", now + 1, 30), "a holds it"
    assert await leases.awaiting_video(3, now + 1) == [], "the sweep leaves a held copy alone"
    assert [r.id for r in await leases.awaiting_video(3, now + 31)] == ["t1"]
    assert await leases.claim_video("t1", "b", now + 31, 30), "a stopped renewing: b takes it"
    assert not await leases.renew_video("t1", "a", now + 32, 30), "a learns it lost the job"


async def test_only_the_holder_records_the_outcome(leases: VideoLeases) -> None:
    await succeeded(leases)
    now = time.time()
    assert await leases.claim_video("t1", "a", now, 30)
    await leases.finish_video("t1", "b", path="t1.mp4", size=10)
    assert not (await leases.storage.get_any("t1")).video_saved
    await leases.finish_video("t1", "a", error="cut")
    failed = await leases.storage.get_any("t1")
    assert (failed.video_error, failed.video_attempts) == ("cut", 1)
    assert await leases.claim_video("t1", "b", now + 1, 30), "a failed copy frees the lease"
    await leases.finish_video("t1", "b", path="t1.mp4", size=10)
    saved = await leases.storage.get_any("t1")
    assert (saved.video_path, saved.video_bytes, saved.video_error) == ("t1.mp4", 10, None)
    assert not await leases.claim_video("t1", "c", now + 100, 30), "a saved copy is done"
    assert await leases.awaiting_video(3, now + 100) == []


async def test_a_stale_whole_record_save_keeps_the_saved_video(leases: VideoLeases) -> None:
    """Another replica read the task before the copy finished, then saves its refresh."""
    await succeeded(leases)
    stale = await leases.storage.get_any("t1")
    assert await leases.claim_video("t1", "a", time.time(), 30)
    await leases.finish_video("t1", "a", path="t1.mp4", size=10)
    stale.exchanges.append({"status": 200})
    await leases.storage.save(stale)
    assert (await leases.storage.get_any("t1")).video_path == "t1.mp4"
