"""The relay check: a conforming upstream passes; a non-conforming one is reported item by item."""

import json

import httpx
import pytest
from bs4 import BeautifulSoup

from app.catalog.endpoints import FORM_MODES
from tests.helpers import create_body, task_until
from tests.relay_stub import Answer, RelayStub, Seen

KEY = {"X-Runway-Key": "hk-relay-check-key-0000"}
FREE_ITEMS = (
    "A wrong key is refused",
    "Error body shape",
    "An unknown task is 404",
    "An invalid body is refused",
    "Errors are JSON",
    "The version header",
    "CORS preflight",
    "Answers allow browsers (Access-Control-Allow-Origin)",
    "The other endpoints refuse an invalid body",
)
COST_ITEMS = (
    "The create answer carries estimatedCost",
    "Unfinished tasks carry estimatedCost",
    "The final task carries cost",
)


def verdicts(report: dict) -> dict[str, str]:
    return {item["name"]: item["verdict"] for item in report["items"]}


async def test_the_simulator_behaves_like_runway(client: httpx.AsyncClient) -> None:
    await client.delete("/simulator/_sim/stats")
    report = (
        await client.post("/api/relay-check", json={"baseUrl": "simulator"}, headers=KEY)
    ).json()
    assert report["summary"]["differs"] == report["summary"]["failed"] == 0, report
    assert set(verdicts(report)) >= set(FREE_ITEMS)
    assert report["taskId"] is None
    # One refused create (400) at each endpoint the form makes, and no task at all.
    stats = (await client.get("/simulator/_sim/stats")).json()
    assert stats.get("create", 0) == len(FORM_MODES)
    assert (await client.get("/api/tasks", headers=KEY)).json()["tasks"] == []


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
    assert all(names[item] == "ok" for item in COST_ITEMS)
    assert report["summary"]["differs"] == 0 and report["summary"]["failed"] == 0
    # A real task, paid for: history keeps it like any other (its video, its inspector).
    [task] = (await client.get("/api/tasks", headers=KEY)).json()["tasks"]
    assert task["id"] == report["taskId"] and task["promptText"] == "relay check"


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
    assert task["output"] and task["output"][0].startswith("http://console/simulator/outputs/")


async def test_the_page_shows_the_report(client: httpx.AsyncClient) -> None:
    page = BeautifulSoup(
        (
            await client.post(
                "/relay-check", data={"baseUrl": "simulator"}, headers={**KEY, "HX-Request": "true"}
            )
        ).text,
        "html.parser",
    )
    shown = [li.strong.text for li in page.select(".report-items li.verdict-ok")]
    assert set(shown) >= set(FREE_ITEMS) and not page.select(".verdict-differs, .verdict-failed")
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


async def test_the_standalone_simulator_passes_the_header_and_cost_items(
    live_simulator: str, relay_console: httpx.AsyncClient
) -> None:
    """Called over loopback as a relay (`/runwayml/v1`): CORS, the version header, costs."""
    report = (
        await relay_console.post(
            "/api/relay-check", json={"baseUrl": live_simulator, "tinyTask": True}, headers=KEY
        )
    ).json()
    names = verdicts(report)
    assert all(names[item] == "ok" for item in FREE_ITEMS + COST_ITEMS), report
    got = {item["name"]: item["got"] for item in report["items"]}
    assert got["The version header"] == "accepted, not required"  # relays' paths need none


async def test_a_relay_without_costs_cors_or_the_version_header_is_told_so(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    """The stub answers no preflight (404), no CORS header, no cost fields, and refuses a read
    that carries `X-Runway-Version` (as a strict gateway in front of a relay might)."""
    tiny_reads: list[Seen] = []

    def read(seen: Seen) -> Answer:
        if "x-runway-version" in seen.headers:
            return Answer(400, {"error": "unknown header x-runway-version"})
        if not seen.task_id.startswith("relay-"):
            return Answer(404, {"error": "Task not found"})
        tiny_reads.append(seen)
        status = "RUNNING" if len(tiny_reads) == 1 else "SUCCEEDED"
        return Answer(body={"id": seen.task_id, "status": status, "output": []})

    relay.read = read
    report = (
        await relay_console.post(
            "/api/relay-check", json={"baseUrl": relay.base_url, "tinyTask": True}, headers=KEY
        )
    ).json()
    names = verdicts(report)
    for item in (*COST_ITEMS, "The version header", "CORS preflight"):
        assert names[item] == "differs", (item, report)
    assert names["Answers allow browsers (Access-Control-Allow-Origin)"] == "differs"
    preflights = [s for s in relay.seen if s.method == "OPTIONS"]
    assert len(preflights) == 1 and "authorization" not in preflights[0].headers


async def test_the_endpoints_a_relay_does_not_sell_are_named(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    """The stub serves image_to_video alone (404 elsewhere): the check names each endpoint the
    form makes and what it answered, for free, and a relay that takes a body with no input
    (a task may have started) is a failure."""
    report = (
        await relay_console.post("/api/relay-check", json={"baseUrl": relay.base_url}, headers=KEY)
    ).json()
    (item,) = [
        i for i in report["items"] if i["name"] == "The other endpoints refuse an invalid body"
    ]
    assert item["verdict"] == "differs"
    for endpoint in ("text_to_video", "video_to_video", "character_performance", "image_upscale"):
        assert f"{endpoint} 404" in item["got"]
    probes = [s for s in relay.seen if s.method == "POST" and s.path.endswith("/video_to_hdr")]
    assert [json.loads(p.body) for p in probes] == [{"model": "ruby"}]
    relay.other = lambda seen: Answer(body={"id": "relay-oops"})
    report = (
        await relay_console.post("/api/relay-check", json={"baseUrl": relay.base_url}, headers=KEY)
    ).json()
    assert verdicts(report)["The other endpoints refuse an invalid body"] == "failed"
