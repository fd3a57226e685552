"""The authentication surface under hostile input: what a stranger without the password sends.

Deep JSON and non-ASCII tokens once reached Python's recursive JSON reader and
`hmac.compare_digest` as they came (a RecursionError, a TypeError: 500s); each is a 4xx that
says what is wrong (app/json_values.parse_json, app/secret_compare.same_secret).
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.web.deps import services
from tests.conftest import asgi_client, in_process, make_settings, started
from tests.helpers import create_body, free_port, wait_saved
from tests.relay_stub import Answer, RelayStub

BASE = "http://console"
PASSWORD = "team-password-1234"
LOGGED_IN = {"Authorization": f"Bearer {PASSWORD}"}
VERSION = {"X-Runway-Version": "2024-11-06"}
KEY = {"X-Runway-Key": "hk-security-test-key-0001"}
DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture
async def locked(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A console with a password and a public URL (so its tasks get a notify_hook)."""
    settings = make_settings(
        tmp_path / "data", CONSOLE_PASSWORD=PASSWORD, CONSOLE_PUBLIC_URL="http://console"
    )
    async with in_process(
        settings, first_page=None, address="203.0.113.9", raise_app_exceptions=False
    ) as http:
        yield http


async def member_token(http: httpx.AsyncClient, name: str) -> str:
    app = http._transport.app  # type: ignore[attr-defined]
    _member, token = await services(app).members.create(name)
    return token


async def test_deeply_nested_json_is_a_400_everywhere_a_stranger_posts_it(
    locked: httpx.AsyncClient,
) -> None:
    token = await member_token(locked, "nia")
    member = {"Authorization": f"Bearer {token}", **VERSION}
    task = (
        await locked.post(
            "/api/tasks", json=create_body(notifyHere=True), headers={**LOGGED_IN, **KEY}
        )
    ).json()
    hook = task["hook"]["url"].removeprefix(BASE)
    posts = [
        ("/v1/image_to_video", member),
        ("/runwayml/v1/text_to_image", member),
        ("/v1/uploads", member),
        (hook, {}),
        ("/simulator/v1/image_to_video", {**LOGGED_IN, **VERSION}),
        ("/simulator/_sim/faults", LOGGED_IN),
    ]
    wrong = []
    for path, headers in posts:
        answer = await locked.post(
            path, content=DEEP, headers={**headers, "Content-Type": "application/json"}
        )
        said = path == hook or "nested deeper than 64 levels" in answer.text
        if answer.status_code != 400 or not said:
            wrong.append((path, answer.status_code, answer.text[:80]))
    assert wrong == []


async def test_non_ascii_tokens_signatures_and_csrf_values_are_refused_not_500(
    locked: httpx.AsyncClient,
) -> None:
    task = (
        await locked.post("/api/tasks", json=create_body(), headers={**LOGGED_IN, **KEY})
    ).json()
    await wait_saved(locked, task["id"], headers={**LOGGED_IN, **KEY})
    refused = {
        "/shared/%C3%A9.%C3%A9": ({}, 404),
        f"/media/{task['id']}.mp4?t=%C3%A9": (LOGGED_IN, 404),
        f"/v1/media/{task['id']}.mp4?t=%C3%A9": ({}, 404),
        f"/simulator/outputs/{task['id']}.mp4?exp=9999999999&sig=%C3%A9": ({}, 403),
    }
    answers = {path: await locked.get(path, headers=h) for path, (h, _s) in refused.items()}
    await locked.get("/login")  # sets the CSRF cookie
    answers["/login"] = await locked.post("/login", data={"password": PASSWORD, "csrf_token": "é"})
    refused["/login"] = ({}, 403)
    answers["/tasks"] = await locked.post(
        "/tasks", data={"prompt": "x"}, headers={**LOGGED_IN, "X-CSRF-Token": b"\xe9"}
    )
    refused["/tasks"] = ({}, 403)
    got = {path: answer.status_code for path, answer in answers.items()}
    assert got == {path: status for path, (_h, status) in refused.items()}
    assert "stale" in answers["/login"].text and "CSRF" in answers["/tasks"].text


async def test_admin_numbers_out_of_range_are_refused_by_name(locked: httpx.AsyncClient) -> None:
    csv = await locked.get("/admin/usage.csv?days=2932896", headers=LOGGED_IN)
    assert csv.status_code == 422 and "3660" in csv.text, csv.text
    await locked.get("/admin", headers=LOGGED_IN)
    csrf = {**LOGGED_IN, "X-CSRF-Token": locked.cookies["rc_csrf"]}
    made = await locked.post(
        "/admin/members",
        data={"name": "huge", "daily_credits": "99999999999999999999"},
        headers=csrf,
    )
    assert made.status_code == 422 and "2,147,483,647" in made.text
    app = locked._transport.app  # type: ignore[attr-defined]
    assert await services(app).members.list() == []


@pytest.mark.parametrize("operator", [False, True], ids=["keyless", "operator"])
async def test_a_saved_video_needs_its_token_or_its_owners_key_on_every_path(
    tmp_path: Path, operator: bool
) -> None:
    """`/v1/media/` skips the login (an app fetches what the gateway answered); a task made
    without a key (the operator's, or nobody's) must not be open there to anyone."""
    extra = {"RUNWAYML_API_SECRET": "key_operator_0001", "RUNWAYML_BASE_URL": "simulator"}
    settings = make_settings(
        tmp_path / "data", CONSOLE_PASSWORD=PASSWORD, **(extra if operator else {})
    )
    async with in_process(settings, first_page=None) as http:
        keyless = (await http.post("/api/tasks", json=create_body(), headers=LOGGED_IN)).json()
        keyed = (
            await http.post("/api/tasks", json=create_body(), headers={**LOGGED_IN, **KEY})
        ).json()
        keyless = await wait_saved(http, keyless["id"], headers=LOGGED_IN)
        await wait_saved(http, keyed["id"], headers={**LOGGED_IN, **KEY})
        url = keyless["videoUrl"].removeprefix(BASE)
        bare = url.split("?")[0]
        for path in (bare, f"/v1{bare}", f"/runwayml/v1{bare}"):
            answer = await http.get(path)
            assert answer.status_code in (303, 404), (path, answer.status_code)
        assert (await http.get(f"/v1{url}")).status_code == 200
        assert (await http.get(bare, headers=LOGGED_IN)).status_code == 200
        mine = f"/v1/media/{keyed['id']}.mp4"
        assert (await http.get(mine, headers=KEY)).status_code == 200
        other = {"X-Runway-Key": "hk-someone-else-0002"}
        assert (await http.get(mine, headers=other)).status_code == 404
        assert (await http.get(mine)).status_code == 404


I2V = {
    "model": "gen4_turbo",
    "promptImage": "https://example.com/a.jpg",
    "ratio": "1280:720",
    "duration": 5,
}
PROBES = [
    ("POST", "/runwayml/v1/image_to_video", I2V),
    ("POST", "/v1/image_to_video", {**I2V, "ratio": "BAD"}),
    ("GET", "/runwayml/v1/tasks/x", None),
    ("DELETE", "/v1/tasks/x", None),
    ("GET", "/v1/organization", None),
    ("POST", "/v1/uploads", {"filename": "a.png"}),
    ("POST", "/v1/uploads", {"filename": ""}),
]


def gateway_settings(tmp_path: Path, address: str, target: str, **flags: bool) -> dict:
    """A console with a password; its default upstream the simulator or a loopback relay."""
    env: dict[str, object] = {
        "CONSOLE_PASSWORD": PASSWORD,
        "CONSOLE_GATEWAY_PASSTHROUGH": flags["passthrough"],
    }
    if target == "relay":
        env.update(RUNWAYML_BASE_URL=address, CONSOLE_ALLOW_PRIVATE_UPSTREAMS=True)
    if flags["operator"]:
        env.update(RUNWAYML_API_SECRET="key_operator_0001")
        env.setdefault("RUNWAYML_BASE_URL", "simulator")
    return env


def from_address(app: FastAPI, host: str) -> httpx.AsyncClient:
    return asgi_client(app, address=host)


async def probe(http: httpx.AsyncClient, bearer: str, method: str, path: str, body: object):
    headers = {"Authorization": f"Bearer {bearer}", **VERSION}
    answer = await http.request(method, path, json=body, headers=headers)
    return answer.status_code, answer.json()


async def same_answers_and_counted(app: object) -> None:
    """On every probe the password and a wrong guess get one answer; and every probe is a
    guess that counts, so a sixth from one address is a 429 whatever the route or body."""
    for n, (method, path, body) in enumerate(PROBES):  # fresh addresses: none throttled
        right = from_address(app, f"198.51.100.{10 + n}")
        wrong = from_address(app, f"198.51.100.{50 + n}")
        said = await probe(right, PASSWORD, method, path, body)
        assert said == await probe(wrong, "not-the-password", method, path, body), path
        assert said[0] != 200, (path, said)
        guesser = from_address(app, f"198.51.100.{100 + n}")
        statuses = [(await probe(guesser, f"guess-{k}", method, path, body))[0] for k in range(6)]
        assert statuses[:5] == [said[0]] * 5 and statuses[5] == 429, (path, statuses)


@pytest.mark.parametrize("target", ["simulator", "relay"])
@pytest.mark.parametrize("operator", [False, True], ids=["keyless", "operator"])
@pytest.mark.parametrize("passthrough", [True, False], ids=["passthrough", "members-only"])
async def test_the_gateway_is_no_password_oracle_and_guesses_are_throttled(
    tmp_path: Path, relay: RelayStub, target: str, operator: bool, passthrough: bool
) -> None:
    """The password and a wrong guess get the same answer on every gateway route, an invalid
    body included; each guess counts against the login limiter, reads and deletes too, so the
    sixth is a 429 (the password too, then)."""
    refused = Answer(401, {"error": "the relay does not know this key"})
    relay.create = relay.other = lambda seen: refused
    env = gateway_settings(
        tmp_path, relay.base_url, target, operator=operator, passthrough=passthrough
    )
    async with started(make_settings(tmp_path / "data", **env)) as app:
        await same_answers_and_counted(app)
        assert not any(PASSWORD in seen.authorization for seen in relay.seen)
        guesser = from_address(app, "198.51.100.3")
        statuses = [(await probe(guesser, f"guess-{n}", *PROBES[0]))[0] for n in range(200)]
        assert statuses == [401] * 5 + [429] * 195
        assert (await probe(guesser, PASSWORD, *PROBES[0]))[0] == 429
        page = await guesser.get("/api/tasks", headers=LOGGED_IN)
        assert page.status_code == 429  # one limiter: the page's bearer is throttled too
        member = await services(app).members.create("mo")
        assert (await probe(guesser, member[1], "GET", "/v1/tasks/x", None))[0] == 404


@pytest.mark.parametrize("operator", [False, True], ids=["keyless", "operator"])
async def test_an_unreachable_upstream_tells_nothing_of_the_password(
    tmp_path: Path, operator: bool
) -> None:
    """Nobody listens at the relay's address: the password gets the 502 a wrong guess gets."""
    address = f"http://127.0.0.1:{free_port()}"
    env = gateway_settings(tmp_path, address, "relay", operator=operator, passthrough=True)
    async with started(make_settings(tmp_path / "data", **env)) as app:
        await same_answers_and_counted(app)


async def test_a_relay_taking_any_key_tells_nothing_of_the_password(
    tmp_path: Path, relay: RelayStub
) -> None:
    """A relay that takes any key: the password, never sent, creates and reads back its task
    as a wrong guess does (what stands in for it is the same each time), and no 401 comes."""
    env = gateway_settings(tmp_path, relay.base_url, "relay", operator=False, passthrough=True)
    async with started(make_settings(tmp_path / "data", **env)) as app:
        for n, bearer in enumerate((PASSWORD, "not-the-password")):
            http = from_address(app, f"198.51.100.{20 + n}")
            status, created = await probe(http, bearer, *PROBES[0])
            assert status == 200, created
            status, read = await probe(http, bearer, "GET", f"/v1/tasks/{created['id']}", None)
            assert (status, read["id"]) == (200, created["id"]), read
        assert not any(PASSWORD in seen.authorization for seen in relay.seen)


async def test_a_non_ascii_password_is_the_password_as_a_bearer_too(
    tmp_path: Path, relay: RelayStub
) -> None:
    """A header arrives as bytes: the UTF-8 of a password with an `é` opens the page as a
    bearer, and at the gateway it is known for the password, so the relay never sees it; a
    wrong guess with an `é` gets what the password gets there."""
    password = "mot-de-passe-été-ß-0001"
    relay.create = lambda seen: Answer(401, {"error": "the relay does not know this key"})
    env = gateway_settings(tmp_path, relay.base_url, "relay", operator=False, passthrough=True)
    settings = make_settings(tmp_path / "data", **{**env, "CONSOLE_PASSWORD": password})
    async with started(settings) as app:
        http = from_address(app, "198.51.100.30")
        sent = {"Authorization": f"Bearer {password}".encode(), **VERSION}  # as on the wire
        assert (await http.get("/api/tasks", headers=sent)).status_code == 200
        said = await http.post("/v1/image_to_video", json=I2V, headers=sent)
        guess = {"Authorization": "Bearer mot-de-passe-été-0002".encode(), **VERSION}
        other = from_address(app, "198.51.100.31")
        like = await other.post("/v1/image_to_video", json=I2V, headers=guess)
        assert (
            (said.status_code, said.json())
            == (like.status_code, like.json())
            == (
                401,
                {"error": "Invalid API key"},
            )
        )
        on_the_wire = password.encode().decode("latin-1")  # how the relay stub reads it
        assert relay.seen and not any(on_the_wire in s.authorization for s in relay.seen)


async def test_a_bearer_no_header_can_carry_is_a_key_nobody_knows(
    tmp_path: Path, relay: RelayStub
) -> None:
    """No password: a bearer with an `é` cannot be forwarded as it came (it was a 500); the
    relay is asked with a key derived from it, and its refusal is the answer."""
    relay.create = lambda seen: Answer(401, {"error": "the relay does not know this key"})
    env = {"RUNWAYML_BASE_URL": relay.base_url, "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": True}
    async with started(make_settings(tmp_path / "data", **env)) as app:
        http = from_address(app, "198.51.100.32")
        sent = {"Authorization": "Bearer clé-à-moi-0001".encode(), **VERSION}
        said = await http.post("/v1/image_to_video", json=I2V, headers=sent)
        assert said.status_code == 401 and len(relay.seen) == 1, said.text


async def test_behind_a_password_the_built_in_simulator_is_for_members_only(
    tmp_path: Path,
) -> None:
    """No operator key: the gateway's upstream is the simulator on this machine. A bearer
    that is no member token neither renders nor opens an upload slot there."""
    async with started(make_settings(tmp_path / "data", CONSOLE_PASSWORD=PASSWORD)) as app:
        stranger = from_address(app, "198.51.100.7")
        for path, body in (("/v1/image_to_video", I2V), ("/v1/uploads", {"filename": "a.png"})):
            status, said = await probe(stranger, "hk-any-key-at-all", "POST", path, body)
            assert status == 401 and "member tokens only" in said["error"], said
        stats = await stranger.get("/simulator/_sim/stats", headers=LOGGED_IN)
        assert stats.json() == {}
        _member, token = await services(app).members.create("mia")
        status, said = await probe(stranger, token, "POST", "/v1/image_to_video", I2V)
        assert status == 200 and said["id"], said
        status, said = await probe(stranger, token, "POST", "/v1/uploads", {"filename": "a.png"})
        assert status == 200 and said["uploadUrl"], said
