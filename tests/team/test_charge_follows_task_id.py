"""A member's charge names the id its task is finally recorded under (review 2, item 6).

A relay may hand out an id another task already has. When the database refused the insert in
the request (a failover), the task is answered by its id and recorded later in the background;
that insert then meets the other task's id and the task takes a fresh one. The charge made in
the request must move with it, or its final cost and a FAILED refund never reach it. The
refusals come from the database itself (tests/storage/test_postgres.py's trigger).
"""

import asyncio
from pathlib import Path

from sqlalchemy import select

from app.storage.schema import charges_table, tasks_table
from app.web.deps import services
from tests.conftest import TEAM_SECRET
from tests.engines import PostgresServer
from tests.member_relay import VERSION, Console, i2v, member_console
from tests.relay_stub import Answer, RelayStub, relay
from tests.storage.test_postgres import refuse_inserts

__all__ = ["relay"]


async def rows(console: Console, column: object) -> list[str]:
    query = select(column)
    found = await services(console.app).database.run(lambda conn: conn.execute(query).all())
    return sorted(row[0] for row in found)


async def test_a_task_rekeyed_in_the_background_keeps_its_members_charge(
    relay: RelayStub, tmp_path: Path, postgres: PostgresServer
) -> None:
    relay.create = lambda seen: Answer(body={"id": "dup-1", "estimatedCost": {"credits": 25}})
    database = postgres.new_database()
    settings = {"CONSOLE_DATABASE_URL": database, "CONSOLE_SECRET_KEY": TEAM_SECRET}
    async with member_console(relay, tmp_path / "data", **settings) as console:
        personal = {"Authorization": "Bearer key_" + "p" * 40, **VERSION}
        first = await console.http.post("/v1/image_to_video", json=i2v(), headers=personal)
        assert first.status_code == 200 and first.json()["id"] == "dup-1", first.text
        refuse_inserts(postgres, database, refusals=3)  # every insert tried in the request
        member = await console.member("bo", 100)
        made = await console.http.post("/v1/image_to_video", json=i2v(), headers=member)
        assert made.status_code == 200, made.text
        for _ in range(300):
            if len(await rows(console, tasks_table.c.id)) == 2:
                break
            await asyncio.sleep(0.05)
        ids = await rows(console, tasks_table.c.id)
        assert len(ids) == 2, "the background retry recorded the member's task"
        [fresh] = [task_id for task_id in ids if task_id != "dup-1"]
        assert await rows(console, charges_table.c.task_id) == [fresh]
        assert await services(console.app).usage.credits_of(fresh) == (25, False)
