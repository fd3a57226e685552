"""A hostile relay on loopback attacks the console through its answers (issue 12).

Each test runs the console in process, allowed to call private upstreams, against the scripted
relay of tests/relay_stub.py over a real socket; then it checks what the console stored, showed
and answered.
"""

import io
import logging
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.helpers import POLL_DUE_S, create_body, poll_until
from tests.relay_stub import Answer, RelayStub, Seen

MARKER = "hk-MARKERKEY-relay-echo-5d1e0b77"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def console(relay_console: httpx.AsyncClient) -> httpx.AsyncClient:
    return relay_console


def unzipped(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


async def test_a_relay_that_echoes_the_key_never_gets_it_stored_or_shown(
    relay: RelayStub,
    console: httpx.AsyncClient,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    relay.create = lambda seen: Answer(
        body={"id": "echo-1", "note": f"created for {seen.authorization}", "k": MARKER}
    )

    def failing(seen: Seen) -> Answer:
        return Answer(
            body={
                "id": seen.task_id,
                "status": "FAILED",
                "failure": f"key {seen.authorization} out of credit",
                "failureCode": f"CREDIT.{MARKER}",
            }
        )

    relay.read = failing
    key = {"X-Runway-Key": MARKER}
    answers: list[bytes] = []

    async def keep(response: httpx.Response) -> httpx.Response:
        answers.append(str(response.headers).encode() + response.content)
        return response

    body = {**create_body(), "baseUrl": relay.base_url}
    task = (await keep(await console.post("/api/tasks", json=body, headers=key))).json()
    assert relay.seen[0].authorization == f"Bearer {MARKER}"  # the relay did get the key

    async def read() -> dict:
        return (await keep(await console.get(f"/api/tasks/{task['id']}", headers=key))).json()

    failed = await poll_until(read, lambda t: t["status"] == "FAILED")
    assert "out of credit" in failed["failure"]
    relay.create = lambda seen: Answer(401, {"error": f"unknown key {seen.authorization}"})
    refused = await keep(await console.post("/api/tasks", json=body, headers=key))
    assert refused.status_code == 502
    assert "unknown key" in refused.json()["error"]["message"]
    form = {
        "model": "gen3a_turbo",
        "first_url": "https://example.com/a.jpg",
        "promptText": "page flow",
        "ratio": "1280:768",
        "duration": "5",
        "baseUrl": relay.base_url,
    }
    await keep(await console.post("/tasks", data=form, headers={**key, "HX-Request": "true"}))
    for path in (
        "/",
        f"/?task={task['id']}",
        f"/tasks/{task['id']}",
        "/history",
        "/api/tasks",
        f"/api/tasks/{task['id']}/share.html",
    ):
        await keep(await console.get(path, headers=key))
    for path in (f"/api/tasks/{task['id']}/export.zip", "/api/tasks/export.zip"):
        export = await console.get(path, headers=key)
        assert export.status_code == 200
        answers.append(unzipped(export.content))

    secret = MARKER.encode()
    assert [a for a in answers if secret in a] == []
    assert MARKER not in caplog.text
    files = [p for p in data_dir.rglob("*") if p.is_file() and secret in p.read_bytes()]
    assert files == []  # console.db and its WAL included
    assert any(b"hk-\xe2\x80\xa60b77" in a for a in answers), "the mask stands in for the key"


async def test_the_key_is_redacted_even_when_the_relay_answers_it_json_escaped(
    relay: RelayStub, console: httpx.AsyncClient
) -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in MARKER)
    relay.create = lambda seen: Answer(body=b'{"id": "esc-1", "note": "%s"}' % escaped.encode())
    relay.read = lambda seen: Answer(
        body=b'{"id": "esc-1", "status": "FAILED", "failure": "%s"}' % escaped.encode()
    )
    key = {"X-Runway-Key": MARKER}
    body = {**create_body(), "baseUrl": relay.base_url}
    task = (await console.post("/api/tasks", json=body, headers=key)).json()

    async def read() -> dict:
        return (await console.get(f"/api/tasks/{task['id']}", headers=key)).json()

    failed = await poll_until(read, lambda t: t["status"] == "FAILED", interval_s=POLL_DUE_S)
    assert MARKER not in failed["failure"]
