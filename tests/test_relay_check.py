"""The relay check: a conforming upstream passes; a non-conforming one is reported item by item."""

import httpx
import pytest
from bs4 import BeautifulSoup

from tests.helpers import create_body, task_until

KEY = {"X-Runway-Key": "hk-relay-check-key-0000"}


def verdicts(report: dict) -> dict[str, str]:
    return {item["name"]: item["verdict"] for item in report["items"]}


async def test_the_simulator_behaves_like_runway(client: httpx.AsyncClient) -> None:
    await client.delete("/simulator/_sim/stats")
    report = (
        await client.post("/api/relay-check", json={"baseUrl": "simulator"}, headers=KEY)
    ).json()
    assert report["summary"] == {"ok": 5, "differs": 0, "failed": 0}, report
    assert report["taskId"] is None
    assert (await client.get("/simulator/_sim/stats")).json().get("create", 0) == 1  # the 400


async def test_a_tiny_task_checks_the_task_object(client: httpx.AsyncClient) -> None:
    report = (
        await client.post(
            "/api/relay-check", json={"baseUrl": "simulator", "tinyTask": True}, headers=KEY
        )
    ).json()
    names = verdicts(report)
    assert report["taskId"]
    assert names["Status values"] == "ok"
    assert names["Output is a list of URLs"] == "ok"
    assert names["Output URL lifetime"] == "ok"
    assert report["summary"]["differs"] == 0 and report["summary"]["failed"] == 0


async def test_a_sloppy_relay_is_reported_item_by_item(client: httpx.AsyncClient) -> None:
    await client.post(
        "/simulator/_sim/faults",
        json={
            "quirks": [
                "error_object",
                "auth_403",
                "progress_percent",
                "output_string",
                "status_lowercase",
            ],
            "output_ttl_s": 600,
        },
    )
    report = (
        await client.post(
            "/api/relay-check", json={"baseUrl": "simulator", "tinyTask": True}, headers=KEY
        )
    ).json()
    names = verdicts(report)
    assert names["A wrong key is refused"] == "differs"
    assert names["Error body shape"] == "differs"
    assert names["Status values"] == "differs"
    assert names["Progress is a fraction 0..1"] == "differs"
    assert names["Output is a list of URLs"] == "differs"
    assert names["Output URL lifetime"] == "differs"
    assert names["An unknown task is 404"] == "ok"


async def test_the_console_copes_with_a_sloppy_relay(client: httpx.AsyncClient) -> None:
    await client.post(
        "/simulator/_sim/faults",
        json={"quirks": ["progress_percent", "output_string", "status_lowercase"]},
    )
    created = (await client.post("/api/tasks", headers=KEY, json=create_body())).json()
    seen = []

    def succeeded(task: dict) -> bool:
        seen.append(task)
        return task["status"] == "SUCCEEDED"

    task = await task_until(client, created["id"], succeeded, what="succeeded", headers=KEY)
    assert all(t["progress"] is None or 0 <= t["progress"] <= 1 for t in seen)
    assert task["output"] and task["output"][0].startswith("/simulator/outputs/")


async def test_the_page_shows_the_report(client: httpx.AsyncClient) -> None:
    page = BeautifulSoup(
        (
            await client.post(
                "/relay-check", data={"baseUrl": "simulator"}, headers={**KEY, "HX-Request": "true"}
            )
        ).text,
        "html.parser",
    )
    assert len(page.select(".report-items li.verdict-ok")) == 5
    refused = BeautifulSoup(
        (
            await client.post(
                "/relay-check", data={"baseUrl": "https://10.1.1.1"}, headers={"HX-Request": "true"}
            )
        ).text,
        "html.parser",
    )
    assert "private" in refused.select_one(".error-text").text


@pytest.mark.parametrize("quirk", ["nope"])
async def test_unknown_quirks_are_refused(client: httpx.AsyncClient, quirk: str) -> None:
    response = await client.post("/simulator/_sim/faults", json={"quirks": [quirk]})
    assert response.status_code == 400
