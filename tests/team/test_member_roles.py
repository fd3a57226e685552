"""Two roles behind the password: a member signs in with their token and sees only their own
day; the admin steers members on the page, in the JSON API and from the CLI; every refused
create is counted per member and day."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI

from app.team.refusals import refusals_by_day
from app.web.deps import services
from tests.conftest import asgi_client, make_settings, started
from tests.helpers import create_body, form_fields
from tests.team.test_members import cli
from tests.web.test_access import PASSWORD, log_in

BEARER = {"Authorization": f"Bearer {PASSWORD}"}


class Team:
    """One console with a password; `client()` is a fresh browser-like client on it."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def client(self) -> httpx.AsyncClient:
        return asgi_client(self.app, base_url="https://console")

    async def member(self, name: str, **limits: int) -> str:
        """A member made through the admin's JSON API; its token."""
        async with self.client() as admin:
            made = await admin.post(
                "/api/admin/members", json={"name": name, **limits}, headers=BEARER
            )
        assert made.status_code == 201, made.text
        return made.json()["token"]


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    # A slow simulator: a task stays running for the whole test (the tasks-at-once limit).
    settings = make_settings(
        tmp_path / "data", CONSOLE_PASSWORD=PASSWORD, CONSOLE_SIMULATOR_SPEED=0.05
    )
    async with started(settings) as app:
        yield Team(app)


@asynccontextmanager
async def signed_in(team: Team, secret: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client logged in with the password (the admin) or a member's token."""
    async with team.client() as client:
        answer = await log_in(client, secret)
        assert answer.status_code == 303, answer.text
        yield client


async def test_a_member_signs_in_with_their_token_and_sees_only_their_own(team: Team) -> None:
    token = await team.member("alice", dailyCredits=100)
    async with signed_in(team, PASSWORD) as admin:
        mine = await admin.post("/api/tasks", json=create_body())  # the operator's own task
        assert mine.status_code == 201
    async with signed_in(team, token) as alice:
        ran = await alice.post("/api/tasks", json=create_body())  # no key: the session is alice
        assert ran.status_code == 201, ran.text
        listed = (await alice.get("/api/tasks")).json()
        assert [task["id"] for task in listed["tasks"]] == [ran.json()["id"]]
        account = (await alice.get("/account")).text
        assert "alice" in account and "25 of 100 credits used today" in account
        assert "≈ $" not in account  # not the organisation's balance
        assert (await alice.get("/admin")).status_code == 403
        assert (await alice.get("/api/admin/members")).status_code == 403
        assert (await alice.get("/metrics")).status_code == 401  # the admin's session only
        home = await alice.get("/")
        assert 'id="api-key"' not in home.text and 'href="/admin"' not in home.text


async def test_a_wrong_or_revoked_token_fails_as_a_wrong_password_does(team: Team) -> None:
    token = await team.member("bob")
    async with team.client() as admin:
        await admin.post("/api/admin/members/bob/revoke", headers=BEARER)
    async with team.client() as client:
        for given in (token, "rc_made-up", "not the password"):
            answer = await log_in(client, given)
            assert answer.status_code == 401
            assert "Wrong password or member token." in answer.text
            assert token not in answer.text


async def test_revoking_or_reissuing_ends_the_members_session(team: Team) -> None:
    token = await team.member("carol")
    async with signed_in(team, token) as carol, team.client() as admin:
        assert (await carol.get("/")).status_code == 200
        await admin.post("/api/admin/members/carol/revoke", headers=BEARER)
        assert (await carol.get("/")).status_code == 303  # back to the login
        await admin.post("/api/admin/members/carol/reactivate", headers=BEARER)
        async with signed_in(team, token) as again:  # re-activated: the same token works again
            assert (await again.get("/")).status_code == 200
            fresh = await admin.post("/api/admin/members/carol/reissue", headers=BEARER)
            assert (await again.get("/")).status_code == 303
        async with team.client() as client:
            assert (await log_in(client, token)).status_code == 401
        async with signed_in(team, fresh.json()["token"]) as renewed:
            assert (await renewed.get("/")).status_code == 200


async def test_a_reissued_or_renamed_member_keeps_their_history(team: Team) -> None:
    token = await team.member("dave", dailyCredits=100)
    async with team.client() as client:
        # The admin's bearer with a member token in the key field acts as that member.
        first = {**BEARER, "X-Runway-Key": token}
        ran = await client.post("/api/tasks", json=create_body(), headers=first)
        assert ran.status_code == 201
        fresh = (await client.post("/api/admin/members/dave/reissue", headers=BEARER)).json()
        old = await client.get("/api/tasks", headers=first)
        assert old.status_code == 401
        key = {**BEARER, "X-Runway-Key": fresh["token"]}
        assert [t["id"] for t in (await client.get("/api/tasks", headers=key)).json()["tasks"]] == [
            ran.json()["id"]
        ]
        renamed = await client.patch(
            "/api/admin/members/dave", json={"name": "david"}, headers=BEARER
        )
        assert renamed.status_code == 200 and renamed.json()["name"] == "david"
        assert [t["id"] for t in (await client.get("/api/tasks", headers=key)).json()["tasks"]] == [
            ran.json()["id"]
        ]
        listed = (await client.get("/api/admin/members", headers=BEARER)).json()
        assert [(m["name"], m["usedToday"]) for m in listed] == [("david", 25)]


async def test_the_json_api_edits_limits_and_refuses_bad_input(team: Team) -> None:
    await team.member("erin", dailyCredits=10)
    async with team.client() as client:
        changed = await client.patch(
            "/api/admin/members/erin", json={"maxRunning": 2}, headers=BEARER
        )
        assert changed.status_code == 200
        assert (changed.json()["dailyCredits"], changed.json()["maxRunning"]) == (10, 2)
        cleared = await client.patch(
            "/api/admin/members/erin", json={"dailyCredits": None}, headers=BEARER
        )
        assert (cleared.json()["dailyCredits"], cleared.json()["maxRunning"]) == (None, 2)
        for body in (
            {"dailyCredits": -1},
            {"dailyCredits": "5"},
            {"dailyCredits": 10**30},  # past any database's INTEGER: a 422, not a 500
            {"maxRunning": 0},
            {"name": "no spaces"},
            {"x": 1},
        ):
            bad = await client.patch("/api/admin/members/erin", json=body, headers=BEARER)
            assert bad.status_code == 422, (body, bad.text)
        taken = await client.post("/api/admin/members", json={"name": "erin"}, headers=BEARER)
        assert taken.status_code == 422 and "already exists" in taken.text
        missing = await client.post("/api/admin/members/nobody/reissue", headers=BEARER)
        assert missing.status_code == 404
        form = await client.post("/api/admin/members", data={"name": "x"}, headers=BEARER)
        assert form.status_code == 422  # JSON only: a cross-site form cannot make a member
        unknown = await client.post("/api/admin/members/erin/explode", headers=BEARER)
        assert unknown.status_code == 404
        assert (await client.get("/api/admin/members")).status_code == 401  # no password


async def test_refusals_are_counted_per_member_and_day_and_shown(team: Team) -> None:
    token = await team.member("fay", dailyCredits=25, maxRunning=1)
    key = {**BEARER, "X-Runway-Key": token}
    async with team.client() as client:
        first = await client.post("/api/tasks", json=create_body(), headers=key)
        assert first.status_code == 201
        running = await client.post("/api/tasks", json=create_body(), headers=key)
        assert running.status_code == 429 and running.json()["maxRunning"] == 1
        await client.patch("/api/admin/members/fay", json={"maxRunning": 5}, headers=BEARER)
        over = await client.post("/api/tasks", json=create_body(), headers=key)
        assert over.status_code == 429 and over.json()["budget"] == 25
        await client.patch("/api/admin/members/fay", json={"dailyCredits": 50}, headers=BEARER)
        raised = await client.post("/api/tasks", json=create_body(), headers=key)
        assert raised.status_code == 201  # the admin raised the budget: the next create passes
        counted = await refusals_by_day(services(team.app).members.storage)
        assert list(counted.values()) == [2]
        usage = (await client.get("/api/admin/usage", headers=BEARER)).json()
        assert [(row["member"], row["tasks"], row["refused"]) for row in usage] == [("fay", 2, 2)]
        page = BeautifulSoup((await client.get("/admin", headers=BEARER)).text, "html.parser")
        [row] = page.select("#members-table tbody tr")
        assert row.select("td")[7].get_text(strip=True) == "2"  # Refused today
        assert len(page.select("#usage-chart rect.bar[data-member=fay]")) == 1
        assert page.select_one("#usage-chart .mark.refused text").get_text() == "2"
        metrics = (await client.get("/metrics", headers=BEARER)).text
        assert 'runway_console_refusals_total{member="fay",reason="budget"} 1.0' in metrics
        assert 'runway_console_refusals_total{member="fay",reason="running"} 1.0' in metrics


async def test_a_members_organization_is_their_own(team: Team) -> None:
    token = await team.member("gus", dailyCredits=100)
    async with signed_in(team, PASSWORD) as admin:
        for _ in range(2):
            assert (await admin.post("/api/tasks", json=create_body())).status_code == 201
    async with team.client() as client:
        gateway = {"Authorization": f"Bearer {token}", "X-Runway-Version": "2024-11-06"}
        made = await client.post(
            "/v1/image_to_video", json={**create_body(), "seed": 1}, headers=gateway
        )
        assert made.status_code == 200, made.text
        org = (await client.get("/v1/organization", headers=gateway)).json()
    assert org["creditBalance"] == 75
    assert org["usage"]["models"]["gen3a_turbo"] == {"dailyGenerations": 1}  # not the 3 in all


def test_the_cli_changes_limits_renames_reissues_and_reactivates(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli(data, "create", "hal", "--daily-credits", "10").returncode == 0
    changed = cli(data, "set", "hal", "--max-running", "3")
    assert changed.returncode == 0, changed.stderr
    assert "10 daily credit budget, 3 tasks at once" in changed.stdout
    cleared = cli(data, "set", "hal", "--daily-credits", "none", "--rename", "hank")
    assert "Member hank: no daily credit budget, 3 tasks at once" in cleared.stdout
    bad = cli(data, "set", "hank", "--daily-credits", "lots")
    assert bad.returncode == 1 and "whole number" in bad.stderr
    assert cli(data, "revoke", "hank").returncode == 0
    assert cli(data, "reactivate", "hank").returncode == 0
    fresh = cli(data, "reissue", "hank")
    assert fresh.returncode == 0 and fresh.stdout.strip().splitlines()[-1].startswith("rc_")
    row = cli(data, "list").stdout.splitlines()[1].split()
    assert row[0] == "hank" and row[-3:] == ["-", "3", "active"]
    assert cli(data, "reissue", "nobody").returncode == 1


async def test_the_page_says_a_member_runs_too_many_tasks_at_once(team: Team) -> None:
    token = await team.member("jo", maxRunning=1)
    async with signed_in(team, token) as jo:
        await jo.get("/")
        headers = {"HX-Request": "true", "X-CSRF-Token": jo.cookies["rc_csrf"]}
        first = await jo.post("/tasks", data=form_fields(promptText="one"), headers=headers)
        assert first.status_code == 200 and 'id="task-card"' in first.text
        second = await jo.post("/tasks", data=form_fields(promptText="two"), headers=headers)
        page = BeautifulSoup(second.text, "html.parser")
        assert "Too many tasks at once" in page.get_text()
        assert "jo already runs 1 of 1 tasks at once." in page.get_text()


async def test_wrong_tokens_count_against_the_same_limiter_as_the_password(team: Team) -> None:
    token = await team.member("kim")
    async with team.client() as client:
        for _ in range(3):
            assert (await log_in(client, "rc_guessed-token")).status_code == 401
        for _ in range(2):
            assert (await log_in(client, "a guessed password")).status_code == 401
        throttled = await log_in(client, token)  # even the right token waits now
        assert throttled.status_code == 429 and "Retry-After" in throttled.headers


async def test_any_number_of_usage_days_is_an_answer_not_a_500(team: Team) -> None:
    """Out of 1 to 3660 days, the CSV and the JSON API both say what is wrong (one rule)."""
    async with team.client() as client:
        for days in ("2932896", "-5", "0"):
            csv = await client.get(f"/admin/usage.csv?days={days}", headers=BEARER)
            api = await client.get(f"/api/admin/usage?days={days}", headers=BEARER)
            assert (csv.status_code, api.status_code) == (422, 422), days
            assert "days" in csv.text and "days" in api.text
        for days in ("1", "3660"):
            csv = await client.get(f"/admin/usage.csv?days={days}", headers=BEARER)
            api = await client.get(f"/api/admin/usage?days={days}", headers=BEARER)
            assert (csv.status_code, api.status_code) == (200, 200), days
