"""`/metrics`: who may read it (the metrics token or the admin), and what one console counts.

The team's figures across replicas on PostgreSQL are in test_team_metrics.py.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.core.settings import Settings
from app.web.deps import services
from tests.conftest import asgi_client, in_process, make_settings, started
from tests.helpers import create_body, wait_final

TOKEN = "metrics-token-5f1e9a7c3b2d4e6f"
PASSWORD = "correct horse battery staple"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@asynccontextmanager
async def console(data_dir: Path, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    """A console in process with a metrics token; `http.app` is the app (for its members)."""
    settings = make_settings(data_dir, **{"CONSOLE_METRICS_TOKEN": TOKEN, **overrides})
    async with started(settings) as app, asgi_client(app) as http:
        http.app = app  # type: ignore[attr-defined]
        yield http


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of an exposition, by name and labels, as Prometheus' own parser reads it."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, frozenset], float], name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels` (0 when there are none)."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in found.items() if n == name and wanted <= have)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-of-some-length"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer ümlaut-token-ß".encode()},  # UTF-8 bytes, as on the wire
    ],
    ids=["none", "wrong", "longer", "not-bearer", "non-ascii"],
)
async def test_metrics_refuse_without_the_token_and_with_a_wrong_one(
    tmp_path: Path, headers: dict[str, str | bytes]
) -> None:
    async with console(tmp_path / "data") as http:
        refused = await http.get("/metrics", headers=headers)
        assert refused.status_code == 401, refused.text
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        assert "runway_console" not in refused.text


async def test_metrics_answer_the_token_in_the_exposition_format(tmp_path: Path) -> None:
    async with console(tmp_path / "data") as http:
        answer = await http.get("/metrics", headers=BEARER)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    names = {family.name for family in text_string_to_metric_families(answer.text)}
    assert {"runway_console_tasks", "runway_console_video_copies"} <= names
    assert {"runway_console_callbacks_received", "process_resident_memory_bytes"} <= names


async def test_a_non_ascii_token_is_compared_as_its_bytes(tmp_path: Path) -> None:
    token = "jetón-métriques-ünd-ß-0123456789"
    async with console(tmp_path / "data", CONSOLE_METRICS_TOKEN=token) as http:
        sent = f"Bearer {token}".encode()  # the UTF-8 bytes, as on the wire
        assert (await http.get("/metrics", headers={"Authorization": sent})).status_code == 200
        wrong = f"Bearer {token[:-1]}ä".encode()
        assert (await http.get("/metrics", headers={"Authorization": wrong})).status_code == 401


async def test_a_non_ascii_password_reads_the_metrics_as_a_bearer(tmp_path: Path) -> None:
    password = "mot-de-passe-été-ß-0001"
    async with console(tmp_path / "data", CONSOLE_PASSWORD=password) as http:
        sent = f"Bearer {password}".encode()  # the UTF-8 bytes, as on the wire
        assert (await http.get("/metrics", headers={"Authorization": sent})).status_code == 200


async def test_wrong_tokens_are_throttled_like_passwords(tmp_path: Path) -> None:
    async with console(tmp_path / "data") as http:
        for _ in range(5):
            wrong = await http.get("/metrics", headers={"Authorization": "Bearer guess-guess"})
            assert wrong.status_code == 401
        limited = await http.get("/metrics", headers=BEARER)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


async def test_the_metrics_token_does_not_forgive_wrong_passwords(tmp_path: Path) -> None:
    """A scrape proves the metrics token, not the password: four wrong passwords, a scrape,
    and the fifth wrong one still fills the limit, so the sixth try is a 429."""
    async with console(tmp_path / "data", CONSOLE_PASSWORD=PASSWORD) as http:
        guess = {"Authorization": "Bearer not-the-password"}
        for _ in range(4):
            assert (await http.get("/api/tasks", headers=guess)).status_code == 401
        assert (await http.get("/metrics", headers=BEARER)).status_code == 200
        assert (await http.get("/api/tasks", headers=guess)).status_code == 401
        limited = await http.get("/api/tasks", headers=guess)
        assert limited.status_code == 429
        assert (await http.get("/metrics", headers=BEARER)).status_code == 429


async def test_the_admins_login_reads_the_metrics_too(tmp_path: Path) -> None:
    async with console(
        tmp_path / "data", CONSOLE_PASSWORD=PASSWORD, RUNWAYML_API_SECRET="key_operator_fake_0000"
    ) as http:
        admin = await http.get("/metrics", headers={"Authorization": f"Bearer {PASSWORD}"})
        assert admin.status_code == 200 and "runway_console_tasks" in admin.text
        assert (await http.get("/metrics")).status_code == 401  # the middleware lets it by


async def test_metrics_are_off_with_neither_a_token_nor_a_password(tmp_path: Path) -> None:
    async with in_process(make_settings(tmp_path / "data"), first_page=None) as http:
        off = await http.get("/metrics", headers=BEARER)
    assert off.status_code == 403 and "CONSOLE_METRICS_TOKEN" in off.text


@pytest.mark.parametrize("token", ["short", "x" * 15])
def test_a_short_metrics_token_stops_the_start(tmp_path: Path, token: str) -> None:
    settings = make_settings(tmp_path, CONSOLE_METRICS_TOKEN=token)
    assert "at least 16" in (settings.startup_problem() or "")
    assert make_settings(tmp_path, CONSOLE_METRICS_TOKEN=" ").metrics_token is None


def test_every_configured_secret_is_listed_for_masking(tmp_path: Path) -> None:
    settings: Settings = make_settings(
        tmp_path,
        CONSOLE_METRICS_TOKEN=TOKEN,
        CONSOLE_PASSWORD=PASSWORD,
        RUNWAYML_API_SECRET="k" * 20,
    )
    assert set(settings.secret_values()) == {TOKEN, PASSWORD, "k" * 20}


async def test_one_console_counts_its_tasks_requests_credits_and_refusals(tmp_path: Path) -> None:
    async with console(tmp_path / "data") as http:
        _member, token = await services(http.app).members.create("alice", 30)  # type: ignore[attr-defined]
        member = {"X-Runway-Key": token}
        made = await http.post("/api/tasks", json=create_body(), headers=member)
        assert made.status_code == 201, made.text
        failing = create_body(promptText="a lake [sim:internal]")
        doomed = (await http.post("/api/tasks", json=failing)).json()["id"]
        refused = await http.post("/api/tasks", json=create_body(promptText="[sim:503]"))
        assert refused.status_code == 502
        over = await http.post("/api/tasks", json=create_body(), headers=member)
        assert over.status_code == 429
        await wait_final(http, made.json()["id"], member)
        await wait_final(http, doomed)
        found = samples((await http.get("/metrics", headers=BEARER)).text)

    tasks = {"endpoint": "image_to_video", "model": "gen3a_turbo"}
    assert value(found, "runway_console_tasks", **tasks, status="SUCCEEDED") == 1
    assert value(found, "runway_console_tasks", **tasks, status="FAILED") == 1
    assert value(found, "runway_console_tasks") == 2
    create = {"kind": "create", "upstream": "simulator"}
    assert value(found, "runway_console_upstream_requests_total", **create, status_class="2xx") == 2
    assert value(found, "runway_console_upstream_requests_total", **create, status_class="5xx") == 1
    assert value(found, "runway_console_upstream_request_seconds_count", **create) == 3
    assert value(found, "runway_console_member_credits_estimated_total", member="alice") == 25
    assert value(found, "runway_console_member_credits_charged_total", member="alice") == 25
    refusals = {"member": "alice", "reason": "budget"}
    assert value(found, "runway_console_refusals_total", **refusals) == 1
