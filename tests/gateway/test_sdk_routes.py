"""Every route the installed official SDK can call gets Runway's JSON answer from the gateway
and the simulator alike: the endpoints the console offers work, and every other one (avatars,
voices, workflows, … and their PATCH updates) is a JSON 404, never a plain-text page or a 405
that would tell an app the route exists.

The routes are read from the SDK's own resource modules, so a newer SDK's routes are checked
as soon as it is installed.
"""

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import runwayml

from app.catalog.endpoints import ENDPOINTS
from app.web.deps import services
from tests.conftest import asgi_client, make_settings, started

PASSWORD = "sdk routes password 1234"
VERSION = {"X-Runway-Version": "2024-11-06"}
OPERATOR = {"Authorization": f"Bearer {PASSWORD}"}
# `self._post(`, then the path as a literal or as `path_template("/v1/x/{id}", id=id)`.
CALL = re.compile(
    r"self\._(get|post|patch|put|delete)\(\s*(?:path_template\()?\s*f?\"(/v1/[^\"]*)\""
)
OFFERED = {
    *(("POST", f"/v1/{name}") for name in ENDPOINTS),  # every create endpoint of the table
    ("POST", "/v1/uploads"),
    ("GET", "/v1/tasks/x"),
    ("DELETE", "/v1/tasks/x"),
    ("GET", "/v1/organization"),
}


def sdk_routes() -> list[tuple[str, str]]:
    """(method, path) for every call in the SDK's resources, `{id}`-style parts made `x`."""
    resources = Path(runwayml.__file__).parent / "resources"
    found = set()
    for module in resources.rglob("*.py"):
        for method, template in CALL.findall(module.read_text()):
            found.add((method.upper(), re.sub(r"\{[^}]+\}", "x", template)))
    return sorted(found)


ROUTES = sdk_routes()
NOT_OFFERED = [route for route in ROUTES if route not in OFFERED]
# The simulator keeps Runway's books (tests/simulator/test_sim_books.py), so it also answers usage.
SIMULATOR_ALSO_OFFERS = {("POST", "/v1/organization/usage")}


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The console with a password, and a member's bearer for the gateway."""
    async with started(make_settings(tmp_path / "data", CONSOLE_PASSWORD=PASSWORD)) as app:
        _member, token = await services(app).members.create("routes", None)
        async with asgi_client(app, base_url="http://console.test") as http:
            yield http, {"Authorization": f"Bearer {token}", **VERSION}


def test_the_sdk_routes_are_read_from_the_installed_sdk() -> None:
    """The reading found the SDK's routes, so the tests below cannot pass on an empty list."""
    assert set(OFFERED) <= set(ROUTES)
    assert len(NOT_OFFERED) >= 30  # routers, avatars, avatar videos, realtime, workflows, ...
    assert ("PATCH", "/v1/avatars/x") in NOT_OFFERED
    assert ("POST", "/v1/recipes/product_ad") in OFFERED  # the recipes are offered


async def test_every_route_the_console_does_not_offer_is_a_json_404(
    console: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, member = console
    wrong = []
    for method, path in NOT_OFFERED:
        for prefix in ("", "/runwayml", "/simulator"):
            if prefix == "/simulator" and (method, path) in SIMULATOR_ALSO_OFFERS:
                continue
            headers = {**member, **OPERATOR} if prefix == "/simulator" else member
            answer = await http.request(method, f"{prefix}{path}", json={}, headers=headers)
            body = answer.json() if "json" in answer.headers.get("content-type", "") else None
            if answer.status_code != 404 or not isinstance(body, dict) or "error" not in body:
                wrong.append((method, f"{prefix}{path}", answer.status_code, answer.text[:80]))
    assert wrong == []


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize("path", ["/v1/tasks/x", "/v1/organization", "/v1/image_to_video"])
async def test_a_route_it_offers_with_another_method_is_a_json_405_as_in_the_simulator(
    console: tuple[httpx.AsyncClient, dict[str, str]], method: str, path: str
) -> None:
    http, member = console
    answer = await http.request(method, path, json={}, headers=member)
    simulated = await http.request(
        method, f"/simulator{path}", json={}, headers={**member, **OPERATOR}
    )
    assert answer.status_code == simulated.status_code == 405
    assert answer.json() == simulated.json() == {"error": "Method not allowed"}
    allowed = {"/v1/tasks/x": "DELETE, GET, HEAD", "/v1/image_to_video": "POST"}
    assert answer.headers["allow"] == allowed.get(path, "GET, HEAD")  # what the path takes
