"""Members' budgets under concurrent creates, on SQLite and on PostgreSQL (issue 22).

20 members, each sending 10 creates at once against a budget of two tasks: exactly two of each
member's are accepted and reach the relay, the rest are refused with 429, whatever the relay's
create answers say. Half the creates name `"duration": 5.0`, the JSON integer 5 (a duration that
once counted 0 credits and slipped past every budget).
"""

import asyncio
from pathlib import Path

from tests.conftest import TEAM_SECRET
from tests.member_relay import Console, i2v, member_console
from tests.relay_stub import Answer, RelayStub, relay

__all__ = ["relay"]
MEMBERS = 20
CREATES_EACH = 10
TASK_CREDITS = 25  # gen4_turbo, 5 s


async def creates_of(console: Console, name: str) -> list[int]:
    headers = await console.member(name, 2 * TASK_CREDITS)
    bodies = [i2v(5 if i % 2 else 5.0) for i in range(CREATES_EACH)]
    answers = await asyncio.gather(
        *(console.http.post("/v1/image_to_video", json=body, headers=headers) for body in bodies)
    )
    return sorted(answer.status_code for answer in answers)


async def test_each_member_gets_exactly_two_tasks_of_ten_at_once(
    relay: RelayStub, tmp_path: Path, database_url: str
) -> None:
    relay.create = lambda seen: Answer(body={"id": f"c-{id(seen)}"})  # no estimatedCost
    async with member_console(
        relay, tmp_path / "data", CONSOLE_DATABASE_URL=database_url, CONSOLE_SECRET_KEY=TEAM_SECRET
    ) as console:
        names = [f"crowd{i}" for i in range(MEMBERS)]
        results = await asyncio.gather(*(creates_of(console, name) for name in names))
        for name, codes in zip(names, results, strict=True):
            assert codes == [200, 200] + [429] * (CREATES_EACH - 2), (name, codes)
            assert await console.spent(name) == 2 * TASK_CREDITS
    assert sum(seen.method == "POST" for seen in relay.seen) == 2 * MEMBERS
