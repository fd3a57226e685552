"""Steering members on SQLite and a real PostgreSQL: a rename carries the member's history,
spend and refusals; a new token, a revoke or a rename ends their sessions; refusals are
counted per member, day and reason, also when they come at once."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from app.core.timestamps import day_of
from app.storage.database import Database
from app.storage.task_store import TaskStore
from app.team.edits import Limits, MemberEdits
from app.team.members import MemberError, Members
from app.team.refusals import count_refusal, refusal_totals, refusals_by_day
from app.team.sessions import Sessions
from app.team.usage import TooManyRunning, Usage
from tests.storage.test_storage import record


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[TaskStore]:
    store = TaskStore(Database(database_url))
    await store.database.migrate()
    yield store
    await store.database.close()


async def test_a_rename_carries_history_spend_and_refusals(storage: TaskStore) -> None:
    members, usage = Members(storage.database), Usage(storage.database)
    await members.create("ann", 100)
    await storage.add(record("t1", owner="member:ann"))
    hold = await usage.hold("ann", 25, "image_to_video")
    await usage.charge(hold, "t1")
    await count_refusal(storage.database, "ann", "budget")
    await members.create("ben")
    with pytest.raises(MemberError, match="already exists"):
        await MemberEdits(members, storage).rename("ann", "ben")
    renamed = await MemberEdits(members, storage).rename("ann", "anna")
    assert renamed.name == "anna" and renamed.daily_credits == 100
    assert await members.get("ann") is None
    assert await storage.get("t1", "member:anna") is not None
    assert await storage.get("t1", "member:ann") is None
    assert await usage.today("anna") == 25
    assert await refusals_by_day(storage.database) == {("anna", day_of(time.time())): 1}


async def test_a_new_token_a_revoke_and_a_rename_end_the_members_sessions(
    storage: TaskStore,
) -> None:
    members, sessions = Members(storage.database), Sessions(storage.database, "tag")
    edits = MemberEdits(members, storage)
    await members.create("cy")
    now = time.time()
    admin = await sessions.open(now)
    for end in (
        edits.reissue("cy"),
        members.revoke("cy"),
        edits.rename("cy", "cyd"),
    ):
        name = (await members.list())[0].name
        mine = await sessions.open(now, name)
        assert (await sessions.who(mine, now)).member == name
        await end
        assert await sessions.who(mine, now) is None
        await edits.reactivate((await members.list())[0].name)
    assert (await sessions.who(admin, now)).admin  # the admin's own session stays


async def test_the_tasks_at_once_limit_holds_in_the_budgets_transaction(storage: TaskStore) -> None:
    members, usage = Members(storage.database), Usage(storage.database)
    await members.create("dee")
    await MemberEdits(members, storage).set_limits("dee", Limits(None, 2))
    holds = [await usage.hold("dee", 5, "image_to_video") for _ in range(2)]
    with pytest.raises(TooManyRunning) as refused:
        await usage.hold("dee", 5, "image_to_video")
    assert (refused.value.budget, refused.value.used) == (2, 2)
    await usage.charge(holds[0], "t-dee")
    await usage.settle("t-dee", "SUCCEEDED", 5)  # one ended: room for one more
    await usage.hold("dee", 5, "image_to_video")


async def test_refusals_that_come_at_once_are_all_counted(storage: TaskStore) -> None:
    await asyncio.gather(*(count_refusal(storage.database, "eve", "running") for _ in range(8)))
    await count_refusal(storage.database, "eve", "budget")
    totals = await storage.database.run(refusal_totals)
    assert totals == {("eve", "budget"): 1, ("eve", "running"): 8}
