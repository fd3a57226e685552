"""The admin page: member tokens made, listed and revoked in the browser; usage per day as CSV."""

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.web.deps import services
from tests.conftest import asgi_client, make_settings, opened, started
from tests.web.test_access import PASSWORD, log_in


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A console with a password, logged in (the page's forms send the CSRF token)."""
    settings = make_settings(tmp_path / "data", CONSOLE_PASSWORD=PASSWORD)
    async with started(settings) as app, asgi_client(app, base_url="https://console") as http:
        await log_in(http)
        await opened(http, "/admin")
        http.headers["HX-Request"] = "true"
        http.app = app  # type: ignore[attr-defined]
        yield http


def rows(html: str) -> list[list[str]]:
    page = BeautifulSoup(html, "html.parser")
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in page.select("#members-table tbody tr")
    ]


async def test_a_token_made_on_the_page_is_shown_once_and_works(
    admin: httpx.AsyncClient,
) -> None:
    made = await admin.post("/admin/members", data={"name": "alice", "daily_credits": "200"})
    assert made.status_code == 200
    token = BeautifulSoup(made.text, "html.parser").select_one("#new-token").get_text()
    assert token.startswith("rc_")
    assert rows(made.text)[0][:2] == ["alice", f"rc_…{token[-4:]}"]
    assert rows(made.text)[0][5] == "200"
    page = await admin.get("/admin")
    assert token not in page.text and rows(page.text)[0][0] == "alice"
    mine = await admin.get("/api/tasks", headers={"X-Runway-Key": token})
    assert mine.status_code == 200


async def test_a_taken_name_or_a_bad_budget_is_said_and_nothing_made(
    admin: httpx.AsyncClient,
) -> None:
    await admin.post("/admin/members", data={"name": "bob"})
    again = await admin.post("/admin/members", data={"name": "bob"})
    assert again.status_code == 422 and "already exists" in again.text
    assert BeautifulSoup(again.text, "html.parser").select_one("#new-token") is None
    bad = await admin.post("/admin/members", data={"name": "carl", "daily_credits": "lots"})
    assert bad.status_code == 422 and [row[0] for row in rows(bad.text)] == ["bob"]


async def test_revoking_on_the_page_stops_the_token_at_once(admin: httpx.AsyncClient) -> None:
    made = await admin.post("/admin/members", data={"name": "dora"})
    token = BeautifulSoup(made.text, "html.parser").select_one("#new-token").get_text()
    revoked = await admin.post("/admin/members/dora/revoke")
    assert rows(revoked.text)[0][-1].startswith("revoked")  # then its actions (Edit, …)
    refused = await admin.get("/api/tasks", headers={"X-Runway-Key": token})
    assert refused.status_code == 401


async def test_usage_per_member_per_day_downloads_as_csv(admin: httpx.AsyncClient) -> None:
    usage = services(admin.app).usage  # type: ignore[attr-defined]
    await services(admin.app).members.create("erin")  # type: ignore[attr-defined]
    await usage.charge(await usage.hold("erin", 25, "image_to_video"), "task-1")
    failed = await usage.hold("erin", 25, "image_to_video")
    await usage.charge(failed, "task-2")
    await usage.settle("task-2", "FAILED", 0)
    page = BeautifulSoup((await admin.get("/admin")).text, "html.parser")
    [row] = [[td.get_text() for td in tr.select("td")] for tr in page.select("#usage tbody tr")]
    assert row[1:] == ["erin", "25", "2", "1", "0"]
    download = await admin.get("/admin/usage.csv")
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(download.text)))
    assert table[0] == ["day", "member", "credits", "tasks", "failures", "refused"]
    assert table[1][1:] == ["erin", "25", "2", "1", "0"]


async def test_without_a_password_the_admin_page_refuses(client: httpx.AsyncClient) -> None:
    for path in ("/admin", "/admin/usage.csv"):
        assert (await client.get(path)).status_code == 403
    assert (await client.post("/admin/members", data={"name": "x"})).status_code == 403
