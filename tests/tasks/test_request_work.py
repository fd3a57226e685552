"""A create or a read does only the work it needs (issue 28): no thread hop for a lookup, no
query for a hook the task cannot have, nothing rewritten or charged for a frame already kept.

Observed from outside: the routes' dependencies as FastAPI runs them, the statements the
database receives (SQLAlchemy's own event), and the files in the frame store.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from PIL import Image
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.main import create_app
from tests.conftest import in_process, make_settings
from tests.helpers import create_body, data_uri, image_bytes

KEY = {"X-Runway-Key": "hk-request-work-key-7b7b"}


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _api_routes(routes: list) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)  # an included router (FastAPI 0.165)
        yield from _api_routes(list(getattr(inner, "routes", None) or []))


def test_no_dependency_of_the_task_routes_runs_on_a_worker_thread(settings) -> None:
    """FastAPI runs a plain `def` dependency on a worker thread: a hop per request."""
    app = create_app(settings)
    routes = [r for r in _api_routes(app.routes) if r.path.startswith("/api/tasks")]
    assert routes
    hopping = {
        f"{route.path}: {getattr(call, '__name__', call)}"
        for route in routes
        for call in _calls(route.dependant)
        if call is not None and not asyncio.iscoroutinefunction(call)
    }
    assert hopping == set()


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent while the test runs (SQLite: the one database thread)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


async def test_a_task_without_a_hook_is_read_without_asking_for_one(
    client: httpx.AsyncClient, statements: list[str]
) -> None:
    created = await client.post("/api/tasks", json=create_body(), headers=KEY)
    assert created.status_code == 201, created.text
    assert "hook" not in created.json()
    read = await client.get(f"/api/tasks/{created.json()['id']}", headers=KEY)
    assert read.status_code == 200 and "hook" not in read.json()
    assert [s for s in statements if "task_hooks" in s] == []


async def test_a_task_with_a_hook_still_shows_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", CONSOLE_PUBLIC_URL="https://console.example")
    async with in_process(settings) as client:
        body = {**create_body(), "notifyHere": True}
        created = await client.post("/api/tasks", json=body, headers=KEY)
        assert created.status_code == 201, created.text
        read = await client.get(f"/api/tasks/{created.json()['id']}", headers=KEY)
    assert created.json()["hook"] == read.json()["hook"]
    assert read.json()["hook"]["url"].startswith("https://console.example/")


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*")}


async def test_the_same_frame_sent_again_is_neither_rewritten_nor_charged(
    client: httpx.AsyncClient, settings, statements: list[str]
) -> None:
    body = create_body(data_uri(image_bytes((320, 192))))
    first = await client.post("/api/tasks", json=body, headers=KEY)
    assert first.status_code == 201, first.text
    frames = Path(settings.data_dir) / "frames"
    before = _files(frames)
    assert before
    statements.clear()
    again = await client.post("/api/tasks", json=body, headers=KEY)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != first.json()["id"]
    assert _files(frames) == before  # no object written again, none added
    charged = [s for s in statements if "frame_bytes" in s or "INTO frame_owners" in s]
    assert charged == []


async def test_the_same_frame_sent_again_is_not_decoded_again(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoding is most of a small frame's cost; identical bytes were checked when stored."""
    opened: list[object] = []
    real_open = Image.open

    def counting_open(*args: object, **kwargs: object) -> Image.Image:
        opened.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Image, "open", counting_open)  # Pillow's, observed
    body = create_body(data_uri(image_bytes((320, 192))))
    assert (await client.post("/api/tasks", json=body, headers=KEY)).status_code == 201
    assert opened  # the first time, checked and its thumbnail drawn
    opened.clear()
    again = await client.post("/api/tasks", json=body, headers=KEY)
    assert again.status_code == 201, again.text
    assert opened == []
    other = create_body(data_uri(image_bytes((320, 192), color=(10, 20, 30))))
    assert (await client.post("/api/tasks", json=other, headers=KEY)).status_code == 201
    assert opened  # a different image is checked as ever
