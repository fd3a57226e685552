"""Access control and CSRF: a password when the operator asks for one, tokens on page forms."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.main import create_app
from tests.conftest import TEAM_SECRET, in_process, make_settings
from tests.helpers import ROOT, form_fields

PASSWORD = "correct horse battery staple"


@asynccontextmanager
async def console(
    data_dir: Path, password: str = PASSWORD, **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    """A console with an operator key and `password`, in process; started again on the same
    data dir it is the same console after a restart (or a second replica, run at once)."""
    settings = make_settings(
        data_dir,
        RUNWAYML_API_SECRET="key_operator_fake_0000",
        CONSOLE_PASSWORD=password,
        **overrides,
    )
    async with in_process(settings, first_page=None, base_url="https://console") as http:
        yield http


@pytest.fixture
async def locked(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with console(tmp_path / "data") as http:
        yield http


def with_session(client: httpx.AsyncClient, value: str) -> httpx.AsyncClient:
    """Put a session cookie (say, one copied before a logout) into `client`'s jar, in place of
    its own. The jar files a dotless host's cookies under `console.local`; under `console` the
    cookie would never be sent, and a test of refusal would pass for that reason alone."""
    client.cookies.delete("rc_session")
    client.cookies.set("rc_session", value, domain="console.local")
    return client


async def log_out(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post("/logout", headers={"X-CSRF-Token": client.cookies["rc_csrf"]})


async def log_in(
    client: httpx.AsyncClient, password: str = PASSWORD, next_path: str = "/"
) -> httpx.Response:
    page = BeautifulSoup((await client.get("/login")).text, "html.parser")
    token = page.select_one("input[name=csrf_token]")["value"]
    return await client.post(
        "/login", data={"password": password, "csrf_token": token, "next": next_path}
    )


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/", {}, 303),
        ("/api/tasks", {}, 401),
        ("/history", {"HX-Request": "true"}, 401),
        ("/simulator/_sim/stats", {}, 303),
        ("/media/x.mp4", {}, 303),
        ("/healthz", {}, 200),
        ("/login", {}, 200),
    ],
)
async def test_everything_but_login_and_health_needs_the_password(
    locked: httpx.AsyncClient, path: str, headers: dict, status: int
) -> None:
    response = await locked.get(path, headers=headers)
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"].startswith("/login?next=")
    if "HX-Request" in headers:
        assert response.headers["HX-Redirect"] == "/login"


async def test_login_sets_a_strict_http_only_session(locked: httpx.AsyncClient) -> None:
    response = await log_in(locked, next_path="/?task=abc")
    assert response.status_code == 303
    assert response.headers["location"] == "/?task=abc"
    cookie = response.headers["set-cookie"]
    assert "rc_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" in cookie
    assert PASSWORD not in cookie
    assert (await locked.get("/")).status_code == 200
    assert (await locked.get("/api/tasks")).status_code == 200
    assert (await log_out(locked)).status_code == 303
    locked.cookies.delete("rc_session")
    assert (await locked.get("/api/tasks")).status_code == 401


async def test_a_wrong_password_is_refused_and_then_rate_limited(
    locked: httpx.AsyncClient,
) -> None:
    for _ in range(5):
        assert (await log_in(locked, "wrong")).status_code == 401
    limited = await log_in(locked, PASSWORD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0


async def test_bearer_guesses_are_throttled_like_logins(locked: httpx.AsyncClient) -> None:
    for _ in range(5):
        wrong = await locked.get("/api/tasks", headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 401
    right = await locked.get("/api/tasks", headers={"Authorization": f"Bearer {PASSWORD}"})
    assert right.status_code == 429
    assert int(right.headers["Retry-After"]) > 0
    assert (await log_in(locked, PASSWORD)).status_code == 429  # one limit for every check


async def test_wrong_logins_throttle_the_bearer_too(locked: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await log_in(locked, "wrong")).status_code == 401
    right = await locked.get("/api/tasks", headers={"Authorization": f"Bearer {PASSWORD}"})
    assert right.status_code == 429


async def test_a_session_is_not_throttled_by_guesses_from_its_address(
    locked: httpx.AsyncClient,
) -> None:
    await log_in(locked)
    session = locked.cookies["rc_session"]
    locked.cookies.delete("rc_session")
    for _ in range(6):
        await locked.get("/api/tasks", headers={"Authorization": "Bearer wrong"})
    assert (await with_session(locked, session).get("/api/tasks")).status_code == 200


async def test_logout_ends_the_session(locked: httpx.AsyncClient) -> None:
    await log_in(locked)
    session = locked.cookies["rc_session"]
    assert (await with_session(locked, session).get("/api/tasks")).status_code == 200
    assert (await log_out(locked)).status_code == 303
    assert (await with_session(locked, session).get("/api/tasks")).status_code == 401


async def test_sessions_outlive_a_restart_but_not_a_logout_or_a_password_change(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    async with console(data) as first:
        await log_in(first)
        kept = first.cookies["rc_session"]
        first.cookies.clear()
        await log_in(first)
        logged_out = first.cookies["rc_session"]
        await log_out(first)
    async with console(data) as restarted:
        assert (await with_session(restarted, kept).get("/api/tasks")).status_code == 200
        assert (await with_session(restarted, logged_out).get("/api/tasks")).status_code == 401
    async with console(data, password="a new password") as changed:
        assert (await with_session(changed, kept).get("/api/tasks")).status_code == 401
    async with console(data) as changed_back:  # the old password again: still no way back
        assert (await with_session(changed_back, kept).get("/api/tasks")).status_code == 401


async def test_a_logout_on_one_replica_ends_the_session_on_another(
    tmp_path: Path, database_url: str
) -> None:
    """Two replicas, each with its own data dir, sharing the database and the secret."""
    shared = {"CONSOLE_DATABASE_URL": database_url, "CONSOLE_SECRET_KEY": TEAM_SECRET}
    async with (
        console(tmp_path / "one", **shared) as one,
        console(tmp_path / "two", **shared) as two,
    ):
        await log_in(one)
        session = one.cookies["rc_session"]
        assert (await with_session(two, session).get("/api/tasks")).status_code == 200
        await log_out(one)
        assert (await two.get("/api/tasks")).status_code == 401


async def test_the_api_takes_the_password_as_a_bearer_token(locked: httpx.AsyncClient) -> None:
    good = await locked.get("/api/tasks", headers={"Authorization": f"Bearer {PASSWORD}"})
    assert good.status_code == 200
    bad = await locked.get("/api/tasks", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


async def test_login_never_redirects_off_site(locked: httpx.AsyncClient) -> None:
    for target in ("//evil.example/", "https://evil.example/"):
        response = await log_in(locked, next_path=target)
        assert response.headers["location"] == "/"


async def test_a_forged_session_cookie_is_refused(locked: httpx.AsyncClient) -> None:
    await log_in(locked)
    assert (await locked.get("/api/tasks")).status_code == 200
    forged = "9999999999.deadbeef"
    assert (await with_session(locked, forged).get("/api/tasks")).status_code == 401


def test_an_operator_key_without_password_refuses_to_start(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, RUNWAYML_API_SECRET="key_operator_fake_0000")
    with pytest.raises(RuntimeError, match="CONSOLE_PASSWORD"):
        create_app(settings)
    env = {
        **os.environ,
        "RUNWAYML_API_SECRET": "key_operator_fake_0000",
        "CONSOLE_DATA_DIR": str(tmp_path / "d"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "app"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    assert "CONSOLE_PASSWORD" in result.stderr
    anonymous = make_settings(
        tmp_path, RUNWAYML_API_SECRET="key_operator_fake_0000", CONSOLE_ALLOW_ANONYMOUS=True
    )
    assert create_app(anonymous) is not None


@pytest.mark.parametrize("token", [None, "", "forged-token-value"])
async def test_page_forms_need_the_csrf_token(client: httpx.AsyncClient, token: str | None) -> None:
    headers = {"HX-Request": "true"}
    del client.headers["X-CSRF-Token"]
    if token is not None:
        headers["X-CSRF-Token"] = token
    response = await client.post("/tasks", data=form_fields(), headers=headers)
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert (await client.get("/api/tasks")).json()["tasks"] == []


async def test_the_json_api_refuses_a_cross_site_simple_form_body(
    client: httpx.AsyncClient,
) -> None:
    del client.headers["X-CSRF-Token"]
    response = await client.post(
        "/api/tasks", content=b'{"model": "gen3a_turbo"}', headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 422
    assert (await client.get("/simulator/_sim/stats")).json().get("create", 0) == 0


ATTACK = b'{"rules": [{"target": "any", "kind": "status", "status": 503}]}'


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
async def test_another_site_cannot_switch_the_simulator_faults(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    """The attack: a page on another origin posts a simple (preflight-free) body."""
    del client.headers["X-CSRF-Token"]
    headers = {"Origin": "https://evil.example"}
    if content_type:
        headers["Content-Type"] = content_type
    attack = await client.post("/simulator/_sim/faults", content=ATTACK, headers=headers)
    assert attack.status_code == 415
    assert (await client.get("/simulator/_sim/faults")).json()["rules"] == []
    allowed = await client.post("/simulator/_sim/faults", json={"output_ttl_s": 5})
    assert allowed.status_code == 200


def test_the_standalone_simulator_refuses_a_simple_cross_site_post(live_simulator: str) -> None:
    headers = {"Origin": "https://evil.example", "Content-Type": "text/plain"}
    with httpx.Client(base_url=live_simulator) as http:
        attack = http.post("/_sim/faults", content=ATTACK, headers=headers)
        assert attack.status_code == 415
        assert http.get("/_sim/faults").json()["rules"] == []


async def test_the_simulator_in_a_locked_console_needs_the_session(
    locked: httpx.AsyncClient,
) -> None:
    switch = await locked.post("/simulator/_sim/faults", json={"output_ttl_s": 5})
    assert switch.status_code == 401
    await log_in(locked)
    switch = await locked.post("/simulator/_sim/faults", json={"output_ttl_s": 5})
    assert switch.status_code == 200
