"""Member tokens and their budgets: the real CLI, the stored hash, holds, charges and settling."""

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.core.timestamps import day_of
from app.storage.database import Database
from app.team.members import MemberError, Members, token_hash
from app.team.usage import OverBudget, Usage
from tests.helpers import ROOT


def cli(data_dir: Path, *args: str, database_url: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m app token ...` as an operator runs it, with the console's settings."""
    env = {**os.environ, "CONSOLE_DATA_DIR": str(data_dir), "CONSOLE_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app", "token", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Database]:
    """SQLite and a real PostgreSQL: the budget's lock differs between them."""
    store = Database(database_url)
    await store.migrate()
    yield store
    await store.close()


def test_the_cli_prints_the_token_last_and_stores_only_its_hash(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = cli(data, "create", "alice", "--daily-credits", "100")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("rc_") and len(token) > 40
    database = (data / "console.db").read_bytes()
    assert token.encode() not in database
    assert token_hash(token).encode() in database

    listed = cli(data, "list")
    assert listed.returncode == 0
    header, row = listed.stdout.splitlines()[:2]
    assert header.split() == [
        *("NAME", "CREATED", "LAST", "USED", "TODAY", "BUDGET", "AT", "ONCE", "STATE")
    ]
    assert row.split()[0] == "alice" and row.split()[-3:] == ["100", "-", "active"]
    assert token not in listed.stdout


def test_the_cli_refuses_a_taken_name_and_revokes_by_name(
    tmp_path: Path, database_url: str
) -> None:
    data, url = tmp_path / "data", database_url
    assert cli(data, "create", "bob", database_url=url).returncode == 0
    again = cli(data, "create", "bob", database_url=url)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert cli(data, "revoke", "bob", database_url=url).returncode == 0
    assert cli(data, "list", database_url=url).stdout.splitlines()[1].split()[-1] == "revoked"
    missing = cli(data, "revoke", "nobody", database_url=url)
    assert missing.returncode == 1 and "no member named nobody" in missing.stderr


@pytest.mark.parametrize("name", ["", "-dash", "has space", "x" * 41, "semi;colon"])
async def test_a_bad_member_name_is_refused(storage: Database, name: str) -> None:
    with pytest.raises(MemberError):
        await Members(storage).create(name)


async def test_a_token_finds_its_member_until_revoked(storage: Database) -> None:
    members = Members(storage)
    member, token = await members.create("carol", 50)
    found = await members.find(token)
    assert found is not None and found.name == "carol" and found.owner == "member:carol"
    stored = await members.get("carol")
    assert stored is not None and stored.last_used_at is not None
    assert await members.find(token + "x") is None
    await members.revoke("carol")
    assert await members.find(token) is None
    assert member.token_hint.endswith(token[-4:])


async def test_a_hold_past_the_budget_is_refused_with_the_figures(storage: Database) -> None:
    await Members(storage).create("dave", 60)
    usage = Usage(storage)
    first = await usage.hold("dave", 25, "image_to_video")
    await usage.charge(first, "task-1")
    await usage.hold("dave", 25, "image_to_video")  # still on the wire: counted too
    with pytest.raises(OverBudget) as refused:
        await usage.hold("dave", 25, "image_to_video")
    assert (refused.value.budget, refused.value.used, refused.value.needed) == (60, 50, 25)
    body = refused.value.as_dict()
    assert body["resetsAt"].endswith("T00:00:00Z") and "60" in body["error"]
    assert await usage.today("dave") == 50


async def test_a_released_hold_and_a_refund_give_the_credits_back(storage: Database) -> None:
    await Members(storage).create("erin", 50)
    usage = Usage(storage)
    await usage.release(await usage.hold("erin", 25, "image_to_video"))
    assert await usage.today("erin") == 0
    hold = await usage.hold("erin", 50, "image_to_video")
    await usage.charge(hold, "task-2", estimate=40)  # a lower upstream estimate: the hold stands
    assert await usage.today("erin") == 50
    await usage.settle("task-2", "FAILED", 0)  # the upstream refunded the failed task
    assert await usage.today("erin") == 0
    await usage.settle("task-2", "SUCCEEDED", 40)  # settled once: a late read changes nothing
    [day] = await usage.days()
    assert (day.member, day.day, day.credits, day.tasks, day.failures) == (
        "erin",
        day_of(time.time()),
        0,
        1,
        1,
    )


async def test_a_task_without_a_reported_cost_keeps_its_estimate(storage: Database) -> None:
    await Members(storage).create("finn")
    usage = Usage(storage)
    await usage.charge(await usage.hold("finn", 25, "image_to_video"), "task-3")
    await usage.settle("task-3", "SUCCEEDED", None)
    assert await usage.credits_of("task-3") == (25, True)


async def test_a_revoked_member_cannot_hold_credits(storage: Database) -> None:
    members = Members(storage)
    await members.create("gail")
    await members.revoke("gail")
    with pytest.raises(MemberError):
        await Usage(storage).hold("gail", 5, "image_to_video")
