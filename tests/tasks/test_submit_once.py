"""Submit once: repeats of one form or Idempotency-Key never start a second upstream task."""

import asyncio

import httpx
import pytest
from bs4 import BeautifulSoup

from app.core.settings import Settings
from tests.helpers import create_body, form_fields


@pytest.fixture
def settings(engine_settings: Settings) -> Settings:
    """Every test here runs on SQLite and on a real PostgreSQL."""
    return engine_settings


HX = {"HX-Request": "true"}
FORM = form_fields(promptText="once", form_token="form-token-abc")


async def creates(client: httpx.AsyncClient) -> int:
    return (await client.get("/simulator/_sim/stats")).json().get("create", 0)


async def slow_next_create(client: httpx.AsyncClient) -> None:
    await client.post(
        "/simulator/_sim/faults",
        json={"rules": [{"target": "create", "kind": "latency", "latency_ms": 400}]},
    )


async def test_concurrent_api_repeats_make_one_task(client: httpx.AsyncClient) -> None:
    await slow_next_create(client)
    headers = {"Idempotency-Key": "retry-me-123"}
    body = create_body()
    answers = await asyncio.gather(
        *(client.post("/api/tasks", json=body, headers=headers) for _ in range(8))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert await creates(client) == 1
    assert len((await client.get("/api/tasks")).json()["tasks"]) == 1


async def test_a_double_clicked_form_makes_one_task(client: httpx.AsyncClient) -> None:
    await slow_next_create(client)
    first, second = await asyncio.gather(
        client.post("/tasks", data=FORM, headers=HX), client.post("/tasks", data=FORM, headers=HX)
    )
    ids = {
        BeautifulSoup(r.text, "html.parser").select_one("#task-card")["data-task-id"]
        for r in (first, second)
    }
    assert len(ids) == 1
    assert await creates(client) == 1
    form = BeautifulSoup(first.text, "html.parser").select_one("#gen-form")
    assert form["hx-swap-oob"] == "true"
    assert form.select_one("#form-token")["value"] != FORM["form_token"]


async def test_a_refused_create_lets_the_same_form_try_again(client: httpx.AsyncClient) -> None:
    refused = await client.post("/tasks", data={**FORM, "promptText": "x [sim:503]"}, headers=HX)
    assert "HTTP 503" in refused.text
    accepted = await client.post("/tasks", data=FORM, headers=HX)
    assert BeautifulSoup(accepted.text, "html.parser").select_one("#task-card") is not None
    assert await creates(client) == 2


async def test_bad_fields_do_not_use_up_the_token(client: httpx.AsyncClient) -> None:
    invalid = await client.post("/tasks", data={**FORM, "seed": "nope"}, headers=HX)
    assert invalid.headers["HX-Retarget"] == "#gen-form"
    assert 'value="form-token-abc"' in invalid.text
    accepted = await client.post("/tasks", data=FORM, headers=HX)
    assert BeautifulSoup(accepted.text, "html.parser").select_one("#task-card") is not None


async def test_tokens_are_per_key(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "same-key"}
    body = create_body()
    mine = await client.post(
        "/api/tasks", json=body, headers={**headers, "X-Runway-Key": "hk-one-0000-0001"}
    )
    theirs = await client.post(
        "/api/tasks", json=body, headers={**headers, "X-Runway-Key": "hk-two-0000-0002"}
    )
    assert mine.json()["id"] != theirs.json()["id"]
