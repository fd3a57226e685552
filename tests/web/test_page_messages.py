"""What the console says when something is refused or missing: once, plainly, and in full."""

import json

import httpx
import pytest
from bs4 import BeautifulSoup

from app.catalog.models import SEED_MAX
from tests.helpers import create_body, form_fields

HX = {"HX-Request": "true"}
SETTING = "CONSOLE_ALLOW_PRIVATE_UPSTREAMS"


def text_of(response: httpx.Response, selector: str) -> str:
    found = BeautifulSoup(response.text, "html.parser").select_one(selector)
    assert found is not None, response.text[:500]
    return found.get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("https://127.0.0.1:8312", "127.0.0.1 is a loopback"),
        ("http://127.0.0.1:8312", "127.0.0.1 is a loopback"),
        ("https://localhost:8312", "127.0.0.1 is a loopback"),
        ("https://[::1]:8312", "::1 is a loopback"),
        ("https://10.1.2.3", "10.1.2.3 is a loopback, private"),
    ],
)
async def test_a_loopback_address_is_refused_once_with_the_setting_named(
    client: httpx.AsyncClient, address: str, refused: str
) -> None:
    preview = text_of(
        await client.get("/form/url-preview", params={"baseUrl": address}), "#url-preview"
    )
    assert refused in preview
    assert preview.count(SETTING) == 1
    assert "https://" not in preview.replace(address, ""), "not a complaint about the scheme"
    generate = await client.post("/tasks", data=form_fields(baseUrl=address), headers=HX)
    said = text_of(generate, "#url-preview")
    assert said == preview, "the preview and Generate say the same"
    assert "Nothing was sent upstream" in generate.text


async def test_plain_http_to_a_public_host_names_the_setting(client: httpx.AsyncClient) -> None:
    preview = text_of(
        await client.get("/form/url-preview", params={"baseUrl": "http://relay.example.com"}),
        "#url-preview",
    )
    assert "must use https://" in preview and preview.count(SETTING) == 1


async def test_a_malformed_json_body_is_a_body_error_with_the_position(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/tasks",
        content=b'{"model": "gen3a_turbo",\n  "seed": 12,}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "body"
    assert "line 2, column 14" in error["message"]
    assert "Expecting property name" in error["message"]


async def test_an_empty_seed_on_the_page_is_picked_and_shown(client: httpx.AsyncClient) -> None:
    response = await client.post("/tasks", data=form_fields(seed=""), headers=HX)
    card = BeautifulSoup(response.text, "html.parser").select_one("#task-card")
    assert card is not None
    task = (await client.get(f"/api/tasks/{card['data-task-id']}")).json()
    assert isinstance(task["seed"], int) and 0 <= task["seed"] <= SEED_MAX
    assert f"seed {task['seed']}" in card.select_one(".card-title").get_text()
    sent = task["exchanges"][0] if "exchanges" in task else None
    if sent is not None and sent.get("requestBody"):
        assert json.loads(json.dumps(sent["requestBody"]))["seed"] == task["seed"]


async def test_an_api_task_without_a_seed_gets_one(client: httpx.AsyncClient) -> None:
    body = create_body()
    del body["seed"]
    task = (await client.post("/api/tasks", json=body)).json()
    assert isinstance(task["seed"], int) and 0 <= task["seed"] <= SEED_MAX
    again = (await client.post("/api/tasks", json={**body, "seed": None})).json()
    assert isinstance(again["seed"], int)
