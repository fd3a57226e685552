"""On a real PostgreSQL: the relay docs' own create works, and a create is never lost.

Insert failures come from the database itself: a trigger on the tasks table raises for as
long as the test wants, the way a failover or a lock timeout would refuse the insert.
"""

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.core.settings import Settings
from app.runway.client import SIMULATOR_ANONYMOUS_KEY
from tests.conftest import TEAM_SECRET, make_settings
from tests.engines import PostgresServer
from tests.helpers import seed_body

KEY = {"X-Runway-Key": "hk-postgres-test-key-7a7a"}
# The console calls its built-in simulator with this key when the person gives none; the
# simulator scopes tasks to their key, so the test reads the task as the console made it.
SIM_AUTH = {"Authorization": f"Bearer {SIMULATOR_ANONYMOUS_KEY}", "X-Runway-Version": "2024-11-06"}
REFUSE_INSERTS = """
CREATE SEQUENCE insert_attempts;
CREATE FUNCTION refuse_insert() RETURNS trigger AS $$
BEGIN
  -- nextval is not rolled back with the failed insert, so it counts the attempts
  IF nextval('insert_attempts') <= {refusals} THEN
    RAISE EXCEPTION 'insert refused by the test (a stand-in for a failover)';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER refuse_insert BEFORE INSERT ON tasks
  FOR EACH ROW EXECUTE FUNCTION refuse_insert();
"""


@pytest.fixture
def database(postgres: PostgresServer) -> str:
    return postgres.new_database()


@pytest.fixture
def settings(tmp_path: Path, database: str) -> Settings:
    return make_settings(
        tmp_path / "data", CONSOLE_DATABASE_URL=database, CONSOLE_SECRET_KEY=TEAM_SECRET
    )


def refuse_inserts(postgres: PostgresServer, database: str, refusals: int) -> None:
    postgres.psql(REFUSE_INSERTS.replace("{refusals}", str(refusals)), database.rsplit("/")[-1])


async def creates(client: httpx.AsyncClient) -> int:
    return (await client.get("/simulator/_sim/stats")).json().get("create", 0)


def test_postgres_without_a_shared_secret_refuses_to_start(tmp_path: Path) -> None:
    from app.main import create_app

    url = "postgresql+asyncpg://postgres@127.0.0.1:1/console"
    with pytest.raises(RuntimeError, match="CONSOLE_SECRET_KEY"):
        create_app(make_settings(tmp_path, CONSOLE_DATABASE_URL=url))


async def test_the_relay_docs_seed_is_created_and_read_back(client: httpx.AsyncClient) -> None:
    """2**32 - 1 overflowed a 32-bit column: the create was sent, then its insert failed."""
    created = await client.post("/api/tasks", json=seed_body("https://x.test/a.jpg"), headers=KEY)
    assert created.status_code == 201, created.text
    read = await client.get(f"/api/tasks/{created.json()['id']}", headers=KEY)
    assert read.json()["seed"] == 4294967295


async def test_a_refused_insert_is_retried_not_the_create(
    client: httpx.AsyncClient, postgres: PostgresServer, database: str
) -> None:
    refuse_inserts(postgres, database, refusals=1)
    created = await client.post("/api/tasks", json=seed_body("https://x.test/a.jpg"), headers=KEY)
    assert created.status_code == 201, created.text
    listed = (await client.get("/api/tasks", headers=KEY)).json()["tasks"]
    assert [task["id"] for task in listed] == [created.json()["id"]]
    assert await creates(client) == 1


async def test_a_task_the_database_keeps_refusing_is_named_and_recorded_later(
    client: httpx.AsyncClient, postgres: PostgresServer, database: str
) -> None:
    refuse_inserts(postgres, database, refusals=1_000_000)
    headers = {**KEY, "Idempotency-Key": "not-recorded-1"}
    body = seed_body("https://x.test/a.jpg")
    answer = await client.post("/api/tasks", json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    task_id = answer.json()["id"]
    assert answer.json()["recorded"] is False
    assert task_id in answer.json()["lastError"]
    again = await client.post("/api/tasks", json=body, headers=headers)
    assert again.status_code == 409, "the token stays taken: a repeat must not create again"
    assert await creates(client) == 1

    postgres.psql("DROP TRIGGER refuse_insert ON tasks", database.rsplit("/")[-1])
    for _ in range(100):
        found = await client.get(f"/api/tasks/{task_id}", headers=KEY)
        if found.status_code == 200:
            break
        await asyncio.sleep(0.1)
    assert found.status_code == 200, "the background retry recorded it once the database took it"
    assert found.json()["seed"] == 4294967295
    assert await creates(client) == 1


async def test_the_page_names_a_task_it_could_not_record(
    client: httpx.AsyncClient, postgres: PostgresServer, database: str
) -> None:
    refuse_inserts(postgres, database, refusals=1_000_000)
    form = {
        "model": "gen3a_turbo",
        "first_url": "https://example.com/a.jpg",
        "promptText": "not recorded",
        "ratio": "1280:768",
        "duration": "5",
        "form_token": "form-token-not-recorded",
    }
    answer = await client.post("/tasks", data=form, headers={"HX-Request": "true"})
    alert = BeautifulSoup(answer.text, "html.parser").select_one("[role=alert]")
    assert alert is not None and "not in history yet" in alert.get_text()
    task_id = re.search(r"task ([0-9a-f-]{36})", alert.get_text()).group(1)
    upstream = await client.get(f"/simulator/v1/tasks/{task_id}", headers=SIM_AUTH)
    assert upstream.status_code == 200, "the id named is the task the upstream made"
    assert await creates(client) == 1
