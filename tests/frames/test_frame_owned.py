"""Who may use a stored frame, as `FrameOwners.owned` decides it, on both engines.

A frame is a scope's when the scope claimed it (uploaded it, or sent it as data), or when one of
the scope's own tasks uses it: tasks made before claims were recorded have no claim. Claims are
asked first and the tasks only for the frames left (bench/README.md, item 20); one frame and
several go through different statements, so both are held here.
"""

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.frames.guard import FrameGuard
from app.frames.owners import FrameOwners
from app.frames.refs import FrameStore
from app.storage.database import Database
from app.storage.objects import LocalObjects
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore

CLAIMED, OLD, STRANGER = "a" * 64, "b" * 64, "c" * 64


def old_task(task_id: str, owner: str) -> TaskRecord:
    now = time.time()
    return TaskRecord(
        id=task_id,
        owner=owner,
        base_url="",
        key_mask="",
        model="gen3a_turbo",
        prompt_text="",
        ratio="1280:768",
        duration=5,
        seed=None,
        request={"promptImage": f"frame:{OLD}"},
        status="SUCCEEDED",
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
async def owners(database_url: str, tmp_path: Path) -> AsyncIterator[FrameOwners]:
    database = Database(database_url)
    await database.migrate()
    frames = FrameStore(LocalObjects(tmp_path))
    found = FrameOwners(database, FrameGuard(database), frames, 10**9, 10**9)
    await found.own([CLAIMED], "key:me")
    tasks = TaskStore(database)
    await tasks.add(old_task("t-old", "key:me"), {OLD})  # used by a task, never claimed
    await tasks.add(old_task("t-theirs", "key:them"), {STRANGER})
    yield found
    await database.close()


async def test_one_frame_is_the_scopes_by_its_claim_or_by_its_own_task(
    owners: FrameOwners,
) -> None:
    assert await owners.owned([CLAIMED], "key:me") == {CLAIMED}
    assert await owners.owned([OLD], "key:me") == {OLD}
    assert await owners.owned([STRANGER], "key:me") == set()
    assert await owners.owned([CLAIMED], "key:them") == set()
    assert await owners.owned([OLD], "key:them") == set()


async def test_several_frames_are_decided_each_on_its_own(owners: FrameOwners) -> None:
    everything = [CLAIMED, OLD, STRANGER, "d" * 64]
    assert await owners.owned(everything, "key:me") == {CLAIMED, OLD}
    assert await owners.owned(everything, "key:them") == {STRANGER}
    assert await owners.owned(everything, "key:nobody") == set()
