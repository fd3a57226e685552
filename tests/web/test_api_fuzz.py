"""Schemathesis against the console's own OpenAPI: no 500s and no hangs, whatever is sent.

The console under test allows one upstream, under the reserved `.invalid` name, so generated
`baseUrl` values are refused before any DNS lookup: nothing leaves this machine.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from app.core.settings import Settings
from app.main import create_app
from tests.helpers import free_port, live_process


def _openapi() -> dict:
    """The document is built from the routes alone; no server or database is needed."""
    with tempfile.TemporaryDirectory() as tmp:
        return create_app(Settings(_env_file=None, CONSOLE_DATA_DIR=Path(tmp))).openapi()


schema = schemathesis.openapi.from_dict(_openapi())


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp_path = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    env = {
        "CONSOLE_DATA_DIR": str(tmp_path / "data"),
        "CONSOLE_SIMULATOR_SPEED": "10",
        "CONSOLE_ALLOWED_UPSTREAMS": "https://only-this-one.invalid",
    }
    with live_process(["serve", "--port", str(port)], env, port, tmp_path / "console.log"):
        yield f"http://127.0.0.1:{port}"


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_never_answers_500_or_hangs(case: schemathesis.Case, console: str) -> None:
    # A hang, not a slow answer: a relay check with a tiny task runs a real task to its end,
    # which on a loaded 2-core CI machine took over 15 s once.
    response = case.call(base_url=console, timeout=60)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
