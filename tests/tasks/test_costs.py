"""The credits a task was charged, from the upstream's final `cost`, beside its estimate.

Kept with the task on SQLite and PostgreSQL, said on the card and in the inspector, in the JSON
API and in the gateway's answers. The built-in simulator reports both figures; a relay on
loopback that reports none (or nonsense) leaves the charge unknown, and the page says so.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import update
from sqlalchemy.engine import Connection

from app.storage.database import Database
from app.storage.schema import schema_table
from app.storage.task_store import TaskStore
from tests.conftest import TEAM_SECRET, in_process, make_settings
from tests.helpers import data_uri, image_bytes, poll_until
from tests.relay_stub import Answer, RelayStub, Seen
from tests.storage.test_storage import record

FRAME = data_uri(image_bytes((1280, 720)))
KEY = {"X-Runway-Key": "hk-costs-test-key-0c0c"}


def body(**extra: object) -> dict[str, Any]:
    return {
        "model": "gen4_turbo",
        "promptImage": FRAME,
        "promptText": "a harbour at dawn",
        "ratio": "1280:720",
        "duration": 5,
        **extra,
    }


@pytest.fixture
async def console(tmp_path: Path, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The console in process on SQLite, then on a fresh PostgreSQL database."""
    settings = make_settings(
        tmp_path / "data", CONSOLE_DATABASE_URL=database_url, CONSOLE_SECRET_KEY=TEAM_SECRET
    )
    async with in_process(settings) as http:
        yield http


async def finished(http: httpx.AsyncClient, task_id: str, headers: dict) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        return (await http.get(f"/api/tasks/{task_id}", headers=headers)).json()

    return await poll_until(read, lambda t: t["status"] in ("SUCCEEDED", "FAILED"), what="final")


async def credits_shown(http: httpx.AsyncClient, task_id: str, headers: dict) -> list[str]:
    """The credits line of the card and of its inspector, as a person reads them."""
    page = await http.get(f"/tasks/{task_id}", headers={**headers, "HX-Request": "true"})
    soup = BeautifulSoup(page.text, "html.parser")
    return [" ".join(tag.get_text(" ", strip=True).split()) for tag in soup.select(".credits")]


@pytest.mark.parametrize(
    ("prompt", "status", "charged"),
    [("a harbour at dawn", "SUCCEEDED", 25), ("a cliff [sim:moderation]", "FAILED", 0)],
)
async def test_the_charge_is_kept_and_shown_beside_the_estimate(
    console: httpx.AsyncClient, prompt: str, status: str, charged: int
) -> None:
    created = await console.post("/api/tasks", json=body(promptText=prompt), headers=KEY)
    assert created.status_code == 201, created.text
    assert created.json()["estimatedCredits"] == 25 and created.json()["chargedCredits"] is None
    task = await finished(console, created.json()["id"], KEY)
    assert task["status"] == status
    assert (task["estimatedCredits"], task["chargedCredits"]) == (25, charged)
    listed = (await console.get("/api/tasks", headers=KEY)).json()["tasks"]
    assert listed[0]["chargedCredits"] == charged
    expected = f"Charged {charged} credits (estimated 25)"
    assert await credits_shown(console, task["id"], KEY) == [expected, expected]


async def test_the_card_says_the_charge_in_chinese(console: httpx.AsyncClient) -> None:
    created = await console.post("/api/tasks", json=body(), headers=KEY)
    task = await finished(console, created.json()["id"], KEY)
    zh = {**KEY, "Accept-Language": "zh-CN"}
    assert (await credits_shown(console, task["id"], zh))[0] == "实际扣除 25 积分（预估 25）"


async def test_an_unfinished_task_shows_only_its_estimate(console: httpx.AsyncClient) -> None:
    created = await console.post("/api/tasks", json=body(promptText="[sim:slow]"), headers=KEY)
    assert (await credits_shown(console, created.json()["id"], KEY))[0] == "Estimated 25 credits"


async def test_a_task_the_console_cancels_shows_what_the_upstream_charged(
    console: httpx.AsyncClient,
) -> None:
    """The simulator answers a DELETE with 204 and refunds a cancelled task: the console reads
    it once more, so the card says it was charged 0, not only its estimate."""
    created = await console.post("/api/tasks", json=body(promptText="[sim:slow]"), headers=KEY)
    task_id = created.json()["id"]
    cancelled = await console.post(f"/tasks/{task_id}/cancel", headers=KEY)
    assert cancelled.status_code == 200, cancelled.text
    task = (await console.get(f"/api/tasks/{task_id}", headers=KEY)).json()
    assert task["status"] == "CANCELLED"
    assert (task["estimatedCredits"], task["chargedCredits"]) == (25, 0)
    shown = "Charged 0 credits (estimated 25)"
    assert await credits_shown(console, task_id, KEY) == [shown, shown]


@pytest.mark.parametrize("where", ["cancel answer", "read after"])
async def test_a_relays_charge_for_a_cancel_is_taken_from_its_answer_or_one_more_read(
    relay: RelayStub, relay_console: httpx.AsyncClient, where: str
) -> None:
    """A relay may answer the DELETE with the task (its cost in it; its reads never carry one
    here), or with 204 like Runway (then only a read after it can say what was charged)."""
    final = {"status": "CANCELLED", "cost": {"credits": 7}}
    if where == "cancel answer":
        relay.cancel = lambda seen: Answer(body={"id": seen.task_id, **final})
    else:
        relay.read = lambda seen: Answer(body={"id": seen.task_id, **final})
    relay.create = lambda seen: Answer(body={"id": "relay-cancel-1"})
    created = await relay_console.post(
        "/api/tasks", json={**body(), "baseUrl": relay.base_url}, headers=KEY
    )
    task_id = created.json()["id"]
    relay.seen.clear()
    assert (await relay_console.post(f"/tasks/{task_id}/cancel", headers=KEY)).status_code == 200
    assert [seen.method for seen in relay.seen].count("DELETE") == 1
    task = (await relay_console.get(f"/api/tasks/{task_id}", headers=KEY)).json()
    assert (task["status"], task["chargedCredits"]) == ("CANCELLED", 7)


def _relay_cost(cost: object) -> Any:
    def read(seen: Seen) -> Answer:
        answer = {"id": seen.task_id, "status": "SUCCEEDED", "output": []}
        return Answer(body=answer if cost is None else {**answer, "cost": cost})

    return read


@pytest.mark.parametrize(
    ("cost", "charged"),
    [
        (None, None),
        ({"credits": "25"}, None),
        ({"credits": -3}, None),
        ({"credits": True}, None),
        ({"credits": 1e300}, None),
        ([25], None),
        ({"credits": 12.0}, 12),
    ],
)
async def test_a_relays_cost_is_taken_only_as_a_whole_number(
    relay: RelayStub, relay_console: httpx.AsyncClient, cost: object, charged: int | None
) -> None:
    relay.read = _relay_cost(cost)
    created = await relay_console.post(
        "/api/tasks", json={**body(), "baseUrl": relay.base_url}, headers=KEY
    )
    assert created.status_code == 201, created.text
    task = await finished(relay_console, created.json()["id"], KEY)
    assert task["chargedCredits"] == charged and task["estimatedCredits"] == 25
    [card, _inspector] = await credits_shown(relay_console, task["id"], KEY)
    if charged is None:
        assert card == (
            "Estimated 25 credits · the upstream reported no charge · estimate from the catalog"
        )
    else:
        assert card.startswith(f"Charged {charged} credits (estimated 25)")


async def test_tasks_from_before_version_6_have_no_credits(database_url: str) -> None:
    """Version 6 keeps the upstream's credits; older rows read as not reported."""
    store = TaskStore(Database(database_url))
    try:
        await store.database.migrate()
        await store.add(record("old"))

        def back_to_v5(conn: Connection) -> None:
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN estimated_credits")
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN cost_credits")
            conn.execute(update(schema_table).values(version=5))

        await store.database.run(back_to_v5, write=True)
        await store.database.migrate()
        old = await store.get("old", "key:a")
        assert old is not None and (old.estimated_credits, old.cost_credits) == (None, None)
        newer = record("new")
        newer.estimated_credits, newer.cost_credits = 2**40, 0
        await store.add(newer)
        assert (await store.get("new", "key:a")) == newer
    finally:
        await store.database.close()
