"""The gateway speaks the API's protocol as the official API and the simulator do: the version
header on `/v1`, CORS for browser clients (on the gateway's paths alone), errors in Runway's
shape for a wrong method, and `issues` paths as lists."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.web.deps import services
from tests.conftest import asgi_client, make_settings, started
from tests.helpers import data_uri, image_bytes
from tests.relay_stub import RelayStub, console_for_relays

BASE = "http://console.test"
PASSWORD = "protocol password 1234"
VERSION = {"X-Runway-Version": "2024-11-06"}
OPERATOR = {"Authorization": f"Bearer {PASSWORD}"}
ORIGIN = "https://chat.example"
FRAME = data_uri(image_bytes((1280, 720)))
BODY = {"model": "gen4_turbo", "promptImage": FRAME, "ratio": "1280:720", "duration": 5}


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The console with a password, a member's bearer, and a client with no key or session."""
    async with started(make_settings(tmp_path / "data", CONSOLE_PASSWORD=PASSWORD)) as app:
        _member, token = await services(app).members.create("browser", None)
        async with asgi_client(app, base_url=BASE) as http:
            yield http, {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("version", [None, "2099-01-01"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/image_to_video"),
        ("POST", "/v1/uploads"),
        ("GET", "/v1/tasks/made-up"),
        ("DELETE", "/v1/tasks/made-up"),
        ("GET", "/v1/organization"),
        ("GET", "/v1/no_such_endpoint"),
    ],
)
async def test_v1_needs_a_known_version_as_the_simulator_does(
    console: tuple[httpx.AsyncClient, dict[str, str]],
    method: str,
    path: str,
    version: str | None,
) -> None:
    http, member = console
    headers = member if version is None else {**member, "X-Runway-Version": version}
    body = BODY if method == "POST" else None
    answer = await http.request(method, path, json=body, headers=headers)
    as_operator = {**headers, **OPERATOR}  # the mounted simulator is behind the password
    simulator = await http.request(method, f"/simulator{path}", json=body, headers=as_operator)
    assert answer.status_code == simulator.status_code == 400
    assert answer.json() == simulator.json()  # one check, one wording
    assert "X-Runway-Version" in answer.json()["error"]


async def test_relay_paths_and_saved_videos_need_no_version(
    console: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, member = console
    created = await http.post("/runwayml/v1/image_to_video", json=BODY, headers=member)
    assert created.status_code == 200, created.text
    task = await http.get(f"/runwayml/v1/tasks/{created.json()['id']}", headers=member)
    assert task.status_code == 200
    with_version = await http.get("/v1/organization", headers={**member, **VERSION})
    assert with_version.status_code == 200


@pytest.mark.parametrize("path", ["/v1/image_to_video", "/runwayml/v1/tasks/x"])
async def test_a_browser_preflight_to_the_gateway_is_granted(
    console: tuple[httpx.AsyncClient, dict[str, str]], path: str
) -> None:
    http, _member = console
    asked = "authorization, content-type, x-runway-version"
    preflight = await http.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": asked,
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-headers"] == asked
    assert "access-control-allow-credentials" not in preflight.headers


async def test_gateway_answers_allow_browsers(
    console: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, member = console
    headers = {**member, **VERSION, "Origin": ORIGIN}
    created = await http.post("/v1/image_to_video", json=BODY, headers=headers)
    missing = await http.get("/runwayml/v1/tasks/made-up", headers=headers)
    refused = await http.get("/v1/organization", headers={"Origin": ORIGIN, **VERSION})
    for answer, status in ((created, 200), (missing, 404), (refused, 401)):
        assert answer.status_code == status
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in answer.headers


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/api/tasks"),
        ("POST", "/api/tasks"),
        ("POST", "/tasks"),
        ("GET", "/admin"),
        ("GET", "/media/x.mp4"),
        ("GET", "/login"),
        ("POST", "/hooks/x"),
    ],
)
async def test_the_consoles_cookie_routes_grant_no_cors(
    console: tuple[httpx.AsyncClient, dict[str, str]], method: str, path: str
) -> None:
    """The CSRF defence (app/web/middleware/csrf.py) relies on these never answering a preflight."""
    http, _member = console
    origin = {"Origin": ORIGIN, "Cookie": "rc_session=x"}
    preflight = await http.options(
        path,
        headers={
            **origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, x-csrf-token",
        },
    )
    plain = await http.request(method, path, headers=origin)
    for answer in (preflight, plain):
        assert not any(name.startswith("access-control-") for name in answer.headers), (
            answer.headers
        )


@pytest.mark.parametrize("path", ["/v1/tasks/x", "/runwayml/v1/tasks/x", "/v1/image_to_video"])
async def test_a_wrong_method_is_runways_error_shape(
    console: tuple[httpx.AsyncClient, dict[str, str]], path: str
) -> None:
    http, member = console
    answer = await http.put(path, json={}, headers={**member, **VERSION})
    assert answer.status_code == 405
    assert answer.json() == {"error": "Method not allowed"}
    page = await http.put("/api/tasks", json={}, headers={"Authorization": f"Bearer {PASSWORD}"})
    assert page.status_code == 405 and "detail" in page.json()  # the console's own API as before


async def test_issue_paths_are_lists_as_in_runways_answers(
    console: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, member = console
    headers = {**member, **VERSION}
    bad_ratio = await http.post(
        "/v1/image_to_video", json={**BODY, "ratio": "1:1"}, headers=headers
    )
    assert bad_ratio.status_code == 400
    assert [issue["path"] for issue in bad_ratio.json()["issues"]] == [["ratio"]]
    frames = [{"uri": FRAME, "position": "middle"}]
    bad_frame = await http.post(
        "/v1/image_to_video", json={**BODY, "promptImage": frames}, headers=headers
    )
    assert bad_frame.status_code == 400
    paths = [issue["path"] for issue in bad_frame.json()["issues"]]
    assert ["promptImage", 0, "position"] in paths


async def test_a_members_copied_code_sends_the_version_the_gateway_needs(
    relay: RelayStub, tmp_path: Path
) -> None:
    """A member's code calls the gateway's `/v1` even when the operator's upstream is a relay
    (which needs no version header): the header must be in it, or the code gets a 400; and it
    reads the task by the id the gateway answered, not the relay's own."""
    operator = {"RUNWAYML_API_SECRET": "key_operator", "CONSOLE_ALLOW_ANONYMOUS": True}
    data = tmp_path / "data"
    async with console_for_relays(data, RUNWAYML_BASE_URL=relay.base_url, **operator) as http:
        app = http._transport.app  # type: ignore[attr-defined]
        _member, token = await services(app).members.create("coder", None)
        member = {"Authorization": f"Bearer {token}"}
        created = await http.post("/runwayml/v1/image_to_video", json=BODY, headers=member)
        assert created.status_code == 200, created.text
        task_id = created.json()["id"]
        for language, header in (
            ("curl", "-H 'X-Runway-Version: 2024-11-06'"),
            ("python", '"X-Runway-Version": "2024-11-06"'),
            ("js", '"X-Runway-Version": "2024-11-06"'),
        ):
            code = await http.get(
                f"/tasks/{task_id}/code/{language}", headers={"X-Runway-Key": token}
            )
            assert code.status_code == 200
            assert "http://console/v1/image_to_video" in code.text and header in code.text
            assert f"http://console/v1/tasks/{task_id}" in code.text
        assert [seen.path for seen in relay.seen][:1] == ["/runwayml/v1/image_to_video"]
