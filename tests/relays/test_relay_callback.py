"""The relay check's callback item: with the tiny task and `notifyHere`, whether the relay's
callback came to this console, how late and with what. The built-in simulator calls back
through the console's own app; its fault switches make the callback malformed or never come.
tests/callbacks/test_hooks_live.py runs the same check against the standalone simulator as a
relay."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from tests.conftest import in_process, make_settings

KEY = {"X-Runway-Key": "hk-relay-callback-key-31f0"}
CHECK = {"baseUrl": "simulator", "tinyTask": True, "notifyHere": True}


async def console(tmp_path: Path, public_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(make_settings(tmp_path / "data", CONSOLE_PUBLIC_URL=public_url)) as http:
        yield http


@pytest.fixture
async def public(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for http in console(tmp_path, "http://console"):
        yield http


def item(report: dict, name: str = "The callback arrives") -> dict:
    [found] = [i for i in report["items"] if i["name"] == name]
    return found


async def test_the_check_reports_the_callback_that_came(public: httpx.AsyncClient) -> None:
    report = (await public.post("/api/relay-check", json=CHECK, headers=KEY)).json()
    arrived = item(report)
    assert arrived["verdict"] == "ok", arrived
    assert arrived["got"].startswith("1 delivery, ")
    assert "SUCCEEDED" in arrived["got"] and '"status": "SUCCEEDED"' in arrived["got"]
    assert item(report, "Status values")["verdict"] == "ok"  # the other checks still ran
    # The tiny task is in history with its delivery, for the inspector.
    [task] = (await public.get("/api/tasks", headers=KEY)).json()["tasks"]
    assert task["id"] == report["taskId"]
    full = (await public.get(f"/api/tasks/{task['id']}", headers=KEY)).json()
    assert [d["status"] for d in full["hook"]["deliveries"]] == ["SUCCEEDED"]


async def test_a_malformed_callback_is_reported_as_different(public: httpx.AsyncClient) -> None:
    rule = {"target": "callback", "kind": "html", "status": 502}
    assert (await public.post("/simulator/_sim/faults", json={"rules": [rule]})).is_success
    report = (await public.post("/api/relay-check", json=CHECK, headers=KEY)).json()
    arrived = item(report)
    assert arrived["verdict"] == "differs"
    assert "<h1>502 Bad Gateway</h1>" in arrived["got"]
    assert "not this task's JSON" in arrived["detail"]


async def test_a_callback_that_never_comes_is_a_failure(public: httpx.AsyncClient) -> None:
    rule = {"target": "callback", "kind": "status", "status": 502}
    assert (await public.post("/simulator/_sim/faults", json={"rules": [rule]})).is_success
    report = (await public.post("/api/relay-check", json=CHECK, headers=KEY)).json()
    assert item(report)["verdict"] == "failed"
    assert item(report)["got"] == "nothing within 20 s of the end"


async def test_without_a_public_url_the_check_says_why(tmp_path: Path) -> None:
    async for http in console(tmp_path, ""):
        report = (await http.post("/api/relay-check", json=CHECK, headers=KEY)).json()
        assert item(report)["verdict"] == "failed"
        assert "Set CONSOLE_PUBLIC_URL" in item(report)["got"]
        assert item(report, "Status values")["verdict"] == "ok"  # the tiny task ran anyway
        [task] = (await http.get("/api/tasks", headers=KEY)).json()["tasks"]
        assert task["id"] == report["taskId"], "history keeps it, as any tiny task"
        full = (await http.get(f"/api/tasks/{task['id']}", headers=KEY)).json()
        assert full.get("hook") is None, "with no hook of this console's"


async def test_the_page_offers_the_callback_and_escapes_what_came(
    public: httpx.AsyncClient,
) -> None:
    form = BeautifulSoup((await public.get("/")).text, "html.parser")
    assert form.select_one("#relay-check-hook")["name"] == "hook"
    rule = {"target": "callback", "kind": "html", "status": 502}
    await public.post("/simulator/_sim/faults", json={"rules": [rule]})
    answer = await public.post(
        "/relay-check",
        data={"baseUrl": "simulator", "tiny": "1", "hook": "1"},
        headers={**KEY, "HX-Request": "true"},
    )
    page = BeautifulSoup(answer.text, "html.parser")
    line = [li for li in page.select(".report-items li") if "The callback arrives" in li.text]
    assert line and "verdict-differs" in line[0]["class"]
    assert page.select(".report-items h1") == []
    assert "&lt;h1&gt;502 Bad Gateway&lt;/h1&gt;" in answer.text
