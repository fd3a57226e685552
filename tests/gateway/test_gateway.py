"""The Runway-compatible gateway, driven by the official `runwayml` SDK with member tokens.

The SDK talks to the console in process (an httpx ASGI transport given to its http_client);
the console's upstream is its built-in simulator, whose request counts show what reached it.
"""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import runwayml
from bs4 import BeautifulSoup
from fastapi import FastAPI
from runwayml import AsyncRunwayML

from app.web.deps import services
from tests.conftest import FAST_ENV, asgi_client, make_settings, started
from tests.helpers import (
    ROOT,
    data_uri,
    form_fields,
    free_port,
    image_bytes,
    live_process,
    poll_until,
)

BASE = "http://console.test"
FRAME = data_uri(image_bytes((1280, 720)))
PASSWORD = "team password 1234"
VERSION = {"X-Runway-Version": "2024-11-06"}  # the SDKs send it; /v1 needs it (400 without)


@dataclass
class Gateway:
    app: FastAPI
    http: httpx.AsyncClient  # no key, no session: what an app or a stranger has

    def sdk(self, key: str) -> AsyncRunwayML:
        client = asgi_client(self.app, base_url=BASE)
        return AsyncRunwayML(
            api_key=key,
            base_url=BASE,
            http_client=client,
            max_retries=0,
            _strict_response_validation=True,
        )

    async def member(self, name: str, daily_credits: int | None = None) -> str:
        _member, token = await services(self.app).members.create(name, daily_credits)
        return token

    async def creates(self) -> int:
        stats = (await self.http.get("/simulator/_sim/stats")).json()
        return stats.get("create", 0)


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    """A console with a password (the gateway needs none of it) on the simulator."""
    settings = make_settings(tmp_path / "data", CONSOLE_PASSWORD=PASSWORD)
    async with started(settings) as app, asgi_client(app, base_url=BASE) as http:
        http.headers["Authorization"] = f"Bearer {PASSWORD}"  # for the simulator's stats
        yield Gateway(app, http)


def i2v(**extra: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "model": "gen4_turbo",
        "prompt_image": FRAME,
        "ratio": "1280:720",
        "duration": 5,
        "prompt_text": "a lighthouse at dusk",
    }
    return {**arguments, **extra}


async def test_a_member_creates_waits_reads_and_deletes_with_the_sdk(gateway: Gateway) -> None:
    token = await gateway.member("alice")
    sdk = gateway.sdk(token)
    created = await sdk.image_to_video.create(**i2v())
    assert created.estimated_cost.credits == 25  # gen4_turbo: 5 credits a second
    done = await created.wait_for_task_output(timeout=60)
    assert done.status == "SUCCEEDED" and done.cost.credits >= 0
    [url] = done.output
    assert url.startswith(f"{BASE}/")
    video = await gateway.http.get(url.removeprefix(BASE), headers={"Authorization": ""})
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"

    again = await sdk.tasks.retrieve(created.id)
    assert again.id == created.id and again.status == "SUCCEEDED"
    await sdk.tasks.delete(created.id)
    with pytest.raises(runwayml.NotFoundError):
        await sdk.tasks.retrieve(created.id)


async def test_a_gateway_task_lands_in_the_members_page_history(gateway: Gateway) -> None:
    token = await gateway.member("bea")
    created = await gateway.sdk(token).image_to_video.create(**i2v())
    listed = await gateway.http.get("/api/tasks", headers={"X-Runway-Key": token})
    assert [task["id"] for task in listed.json()["tasks"]] == [created.id]
    assert await gateway.http.get("/api/tasks", headers={"X-Runway-Key": "hk-someone-else"})
    other = await gateway.http.get("/api/tasks", headers={"X-Runway-Key": "hk-someone-else"})
    assert other.json()["tasks"] == []


async def test_one_member_never_reads_or_deletes_anothers_task(gateway: Gateway) -> None:
    alice, bob = (
        gateway.sdk(await gateway.member("alice")),
        gateway.sdk(await gateway.member("bob")),
    )
    created = await alice.image_to_video.create(**i2v())
    with pytest.raises(runwayml.NotFoundError):
        await bob.tasks.retrieve(created.id)
    with pytest.raises(runwayml.NotFoundError):
        await bob.tasks.delete(created.id)
    assert (await alice.tasks.retrieve(created.id)).id == created.id


async def test_a_create_past_the_budget_is_a_429_and_never_reaches_upstream(
    gateway: Gateway,
) -> None:
    sdk = gateway.sdk(await gateway.member("carl", daily_credits=30))
    await sdk.image_to_video.create(**i2v())  # 25 of 30
    before = await gateway.creates()
    with pytest.raises(runwayml.RateLimitError) as refused:
        await sdk.image_to_video.create(**i2v())
    assert await gateway.creates() == before
    body = refused.value.body
    assert isinstance(body, dict)
    assert (body["budget"], body["usedToday"], body["needed"]) == (30, 25, 25)
    assert "30" in body["error"] and body["resetsAt"].endswith("T00:00:00Z")
    assert int(refused.value.response.headers["Retry-After"]) > 0


async def test_a_create_without_duration_counts_the_models_default_against_the_budget(
    gateway: Gateway,
) -> None:
    """The SDK lets a body leave `duration` out; the upstream runs gen4_turbo's 10 s then."""
    sdk = gateway.sdk(await gateway.member("omar", daily_credits=40))
    body = {k: v for k, v in i2v().items() if k != "duration"}
    with pytest.raises(runwayml.RateLimitError) as refused:
        await sdk.image_to_video.create(**body)
    assert isinstance(refused.value.body, dict) and refused.value.body["needed"] == 50
    assert await gateway.creates() == 0


async def test_a_revoked_or_unknown_token_is_a_401_in_runways_shape(gateway: Gateway) -> None:
    token = await gateway.member("dora")
    sdk = gateway.sdk(token)
    await sdk.organization.retrieve()
    await services(gateway.app).members.revoke("dora")
    for key in (token, "rc_made_up_token"):
        with pytest.raises(runwayml.AuthenticationError) as refused:
            await gateway.sdk(key).image_to_video.create(**i2v())
        assert isinstance(refused.value.body, dict) and "error" in refused.value.body
    assert await gateway.creates() == 0


async def test_the_password_is_neither_needed_nor_forwarded(gateway: Gateway) -> None:
    """Gateway paths skip the page's login; the password as a bearer is refused, not sent."""
    answer = await gateway.http.post(
        "/v1/image_to_video",
        json={"model": "gen4_turbo"},
        headers={"Authorization": "", **VERSION},
    )
    assert answer.status_code == 401 and "error" in answer.json()
    answer = await gateway.http.post(
        "/v1/image_to_video", json={"model": "gen4_turbo"}, headers=VERSION
    )
    assert answer.status_code == 401
    assert await gateway.creates() == 0


async def test_the_organization_shows_a_member_whats_left_today(gateway: Gateway) -> None:
    sdk = gateway.sdk(await gateway.member("eve", daily_credits=100))
    assert (await sdk.organization.retrieve()).credit_balance == 100
    await sdk.image_to_video.create(**i2v())
    assert (await sdk.organization.retrieve()).credit_balance == 75


async def test_a_bad_body_is_runways_400_naming_the_parameter(gateway: Gateway) -> None:
    token = await gateway.member("finn")
    answer = await gateway.http.post(
        "/runwayml/v1/image_to_video",
        json={"model": "gen4_turbo", "promptImage": FRAME, "ratio": "1:1", "duration": 5},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "Invalid parameter 'ratio'"
    assert await gateway.creates() == 0


async def test_a_personal_key_passes_through_and_is_recorded_under_it(tmp_path: Path) -> None:
    """On a console without a password (behind one, the built-in simulator takes member tokens
    only: tests/web/test_security_auth.py)."""
    async with started(make_settings(tmp_path / "data")) as app:
        http = asgi_client(app, base_url=BASE)
        gateway = Gateway(app, http)
        created = await gateway.sdk("hk-developer-key-0001").image_to_video.create(**i2v())
        mine = await http.get("/api/tasks", headers={"X-Runway-Key": "hk-developer-key-0001"})
        [task] = mine.json()["tasks"]
        assert task["id"] == created.id
        assert await gateway.creates() == 1


async def test_pass_through_can_be_switched_off(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", CONSOLE_GATEWAY_PASSTHROUGH=False)
    async with started(settings) as app:
        sdk = Gateway(app, httpx.AsyncClient()).sdk("hk-developer-key-0001")
        with pytest.raises(runwayml.AuthenticationError):
            await sdk.image_to_video.create(**i2v())


async def test_an_endpoint_the_console_does_not_offer_is_runways_404(gateway: Gateway) -> None:
    token = await gateway.member("gus")
    answer = await gateway.http.post(
        "/v1/voices",  # the SDK's voices: not a task, not offered (issue 26)
        json={},
        headers={"Authorization": f"Bearer {token}", **VERSION},
    )
    assert answer.status_code == 404 and "error" in answer.json()


def test_a_members_copy_as_code_sdk_snippet_runs_against_the_live_gateway(
    tmp_path: Path,
) -> None:
    """`runway-console serve` on a port, a token from the CLI, the SDK in its own process: the
    page's "copy as code" for a member's task calls the gateway and runs as it is."""
    data = tmp_path / "console"
    env = {**FAST_ENV, "CONSOLE_DATA_DIR": str(data), "CONSOLE_PASSWORD": PASSWORD}
    made = subprocess.run(
        [sys.executable, "-m", "app", "token", "create", "hana"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    token = made.stdout.strip().splitlines()[-1]
    port = free_port()
    with live_process(["serve", "--port", str(port)], env, port, tmp_path / "console.log"):
        base = f"http://127.0.0.1:{port}"
        sdk = runwayml.RunwayML(
            api_key=token, base_url=base, max_retries=0, _strict_response_validation=True
        )
        first = sdk.image_to_video.create(**i2v(prompt_image="https://example.com/a.jpg"))
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {PASSWORD}"}) as page:
            code = page.get(f"/tasks/{first.id}/code/sdk", headers={"X-Runway-Key": token})
            assert code.status_code == 200, code.text
            assert f"base_url={base!r}" in code.text and token not in code.text
            ran = subprocess.run(
                [sys.executable, "-c", code.text],
                env={**os.environ, "RUNWAYML_API_SECRET": token},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert ran.returncode == 0, ran.stderr
            assert first.id in ran.stdout and "SUCCEEDED" in ran.stdout
            listed = page.get("/api/tasks", headers={"X-Runway-Key": token}).json()["tasks"]
            assert len(listed) == 2  # the SDK's task and the snippet's, both in hana's history


async def test_the_final_cost_replaces_the_estimate_and_a_refund_gives_it_back(
    gateway: Gateway,
) -> None:
    """The simulator reports `cost.credits` when a task ends (0 for a failed, refunded one)."""
    token = await gateway.member("ivy", daily_credits=100)
    sdk = gateway.sdk(token)
    usage = services(gateway.app).usage
    ok = await sdk.image_to_video.create(**i2v())
    refused = await sdk.image_to_video.create(**i2v(prompt_text="a cliff [sim:moderation]"))
    assert await usage.today("ivy") == 50  # both estimates, held at create
    done = await ok.wait_for_task_output(timeout=60)
    failed = await poll_until(
        lambda: sdk.tasks.retrieve(refused.id), lambda t: t.status == "FAILED", what="failed"
    )
    assert failed.cost.credits == 0
    assert await usage.today("ivy") == done.cost.credits
    [day] = await usage.days()
    assert (day.member, day.tasks, day.failures) == ("ivy", 2, 1)


async def test_a_task_a_member_cancels_is_settled_at_the_upstreams_refund(
    gateway: Gateway,
) -> None:
    """The simulator refunds a cancelled task (`cost: {credits: 0}`): a member's cancel gives
    the held estimate back instead of counting it against today for good."""
    token = await gateway.member("kit", daily_credits=100)
    sdk = gateway.sdk(token)
    usage = services(gateway.app).usage
    running = await sdk.image_to_video.create(**i2v(prompt_text="a slow pan [sim:slow]"))
    assert await usage.today("kit") == 25
    await sdk.tasks.delete(running.id)
    assert await usage.credits_of(running.id) == (0, True)
    assert await usage.today("kit") == 0


async def test_a_member_on_the_page_spends_under_their_budget(gateway: Gateway) -> None:
    """The page's key field with a member token: the operator's upstream, the member's name
    and budget; a refusal before any upstream call, on the JSON API and on the page alike."""
    token = await gateway.member("jo", daily_credits=25)
    mine = {"X-Runway-Key": token}
    body = {"model": "gen4_turbo", "promptImage": FRAME, "ratio": "1280:720", "duration": 5}
    first = await gateway.http.post("/api/tasks", json=body, headers=mine)
    assert first.status_code == 201
    before = await gateway.creates()
    again = await gateway.http.post("/api/tasks", json=body, headers=mine)
    assert again.status_code == 429 and again.json()["usedToday"] == 25
    elsewhere = await gateway.http.post(
        "/api/tasks", json={**body, "baseUrl": "https://relay.example.com"}, headers=mine
    )
    assert elsewhere.status_code == 422
    assert [e["field"] for e in elsewhere.json()["errors"]] == ["baseUrl"]
    assert await gateway.creates() == before


async def test_the_operators_key_never_leaves_the_server(tmp_path: Path) -> None:
    marker = "key_operator_marker_7f3a"
    settings = make_settings(
        tmp_path / "data",
        RUNWAYML_API_SECRET=marker,
        RUNWAYML_BASE_URL="simulator",
        CONSOLE_PASSWORD=PASSWORD,
    )
    async with started(settings) as app:
        gateway = Gateway(app, asgi_client(app, base_url=BASE))
        token = await gateway.member("kim")
        headers = {"Authorization": f"Bearer {token}", **VERSION}
        body = {"model": "gen4_turbo", "promptImage": FRAME, "ratio": "1280:720", "duration": 5}
        answers = [await gateway.http.post("/v1/image_to_video", json=body, headers=headers)]
        task_id = answers[0].json()["id"]
        answers.append(await gateway.http.get(f"/v1/tasks/{task_id}", headers=headers))
        answers.append(await gateway.http.get("/v1/organization", headers=headers))
        answers.append(
            await gateway.http.get(
                f"/tasks/{task_id}/code/curl",
                headers={"X-Runway-Key": token, "Authorization": f"Bearer {PASSWORD}"},
            )
        )
        for answer in answers:
            assert answer.status_code == 200, answer.text
            assert marker not in answer.text and marker not in str(answer.headers)


async def test_the_page_form_says_the_budget_is_reached(client: httpx.AsyncClient) -> None:
    """Generate on the page with a member token over budget: the refusal card, nothing sent."""
    app = client._transport.app  # type: ignore[attr-defined]
    _member, token = await services(app).members.create("lee", 10)
    headers = {"HX-Request": "true", "X-Runway-Key": token}
    answer = await client.post("/tasks", data=form_fields(promptText="waves"), headers=headers)
    card = BeautifulSoup(answer.text, "html.parser").select_one(".upstream-error")
    assert card is not None and "budget" in card.get_text()
    assert "25 credits" in card.get_text() and "0 of 10" in card.get_text()
    assert (await client.get("/simulator/_sim/stats")).json().get("create", 0) == 0


async def test_the_simulators_refusals_pass_through_as_runways_own(tmp_path: Path) -> None:
    """Out of credits (400) and a daily cap (429) reach the SDK as the API answered them. On a
    console without a password: behind one, the built-in simulator takes member tokens only."""
    async with started(make_settings(tmp_path / "data")) as app:
        await _refusals_pass_through(Gateway(app, asgi_client(app, base_url=BASE)))


async def _refusals_pass_through(gateway: Gateway) -> None:
    key = "hk-books-key-0001"
    control = {"X-Sim-Account": key}
    account = "/simulator/_sim/account"
    assert (
        await gateway.http.post(account, json={"creditBalance": 10}, headers=control)
    ).is_success
    sdk = gateway.sdk(key)
    with pytest.raises(runwayml.BadRequestError) as poor:
        await sdk.image_to_video.create(**i2v())
    assert poor.value.body == {"error": "You do not have enough credits to run this task."}
    capped = {"creditBalance": 1000, "maxDailyGenerations": 1}
    assert (await gateway.http.post(account, json=capped, headers=control)).is_success
    await sdk.image_to_video.create(**i2v())
    with pytest.raises(runwayml.RateLimitError) as limited:
        await sdk.image_to_video.create(**i2v())
    assert "limit" in limited.value.body["error"] and "gen4_turbo" in limited.value.body["error"]
    assert (await sdk.organization.retrieve()).credit_balance == 1000 - 25
