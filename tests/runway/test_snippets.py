"""Copy as code: the snippets say the right thing, and the copied code runs as it is."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.runway.endpoints import resolve_upstream
from app.runway.snippets import snippet
from tests.helpers import data_uri, image_bytes, seed_body

KEY = "hk-snippet-test-key-4d4d"
BODY = seed_body("https://example.com/a.jpg")


def test_curl_for_a_relay_uses_the_env_var_and_the_relay_path() -> None:
    upstream = resolve_upstream("https://api.openai-hk.com")
    text = snippet("curl", upstream, upstream.api_root, BODY, "t-1")
    assert "-X POST https://api.openai-hk.com/runwayml/v1/image_to_video" in text
    assert '"Authorization: Bearer $RUNWAYML_API_SECRET"' in text
    assert "https://api.openai-hk.com/runwayml/v1/tasks/t-1" in text
    assert json.dumps(BODY) in text


def test_official_snippets_carry_the_version_header() -> None:
    upstream = resolve_upstream("https://api.dev.runwayml.com")
    for language in ("curl", "python", "js"):
        assert "X-Runway-Version" in snippet(language, upstream, upstream.api_root, BODY, "t")


def test_masked_mode_never_shows_more_than_the_mask() -> None:
    upstream = resolve_upstream("https://api.openai-hk.com")
    for language in ("curl", "python", "js"):
        text = snippet(language, upstream, upstream.api_root, BODY, "t", "masked", "hk-…4d4d")
        assert "hk-…4d4d" in text and "RUNWAYML_API_SECRET" not in text


def test_the_sdk_snippet_is_only_for_models_it_knows() -> None:
    upstream = resolve_upstream("https://api.dev.runwayml.com")
    assert snippet("sdk", upstream, upstream.api_root, BODY, "t") is None
    gen4 = {
        **BODY,
        "model": "gen4_turbo",
        "ratio": "1280:720",
        "promptImage": "https://e.com/a.jpg",
    }
    text = snippet("sdk", upstream, upstream.api_root, gen4, "t")
    assert "client.image_to_video.create(" in text and "prompt_image='https://e.com/a.jpg'" in text
    assert "base_url='https://api.dev.runwayml.com'" in text


@pytest.fixture
def console_task(live_simulator: str, live_console: str) -> tuple[str, str, dict]:
    """A task the console ran against the standalone simulator, as a relay."""
    body = {**seed_body(data_uri(image_bytes())), "baseUrl": live_simulator}
    created = httpx.post(f"{live_console}/api/tasks", json=body, headers={"X-Runway-Key": KEY})
    assert created.status_code == 201, created.text
    return live_console, created.json()["id"], body


def fetch_code(console: str, task_id: str, language: str) -> str:
    response = httpx.get(
        f"{console}/tasks/{task_id}/code/{language}", headers={"X-Runway-Key": KEY}
    )
    assert response.status_code == 200, response.text
    return response.text


def test_the_copied_curl_runs_against_the_standalone_simulator(
    console_task: tuple[str, str, dict],
) -> None:
    console, task_id, _ = console_task
    script = fetch_code(console, task_id, "curl")
    assert KEY not in script
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "RUNWAYML_API_SECRET": KEY},
        timeout=30,
    )
    created, read = [json.loads(line) for line in result.stdout.split("\n") if line.strip()]
    assert created["id"] and created["id"] != task_id
    assert read["id"] == task_id and read["status"] in ("PENDING", "RUNNING", "SUCCEEDED")


def test_the_copied_python_runs(console_task: tuple[str, str, dict], tmp_path: Path) -> None:
    console, task_id, _ = console_task
    script = tmp_path / "snippet.py"
    script.write_text(fetch_code(console, task_id, "python"))
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, "RUNWAYML_API_SECRET": KEY},
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert f"'id': '{task_id}'" in result.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_copied_javascript_runs(console_task: tuple[str, str, dict], tmp_path: Path) -> None:
    console, task_id, _ = console_task
    script = tmp_path / "snippet.mjs"
    script.write_text(fetch_code(console, task_id, "js"))
    result = subprocess.run(
        ["node", str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, "RUNWAYML_API_SECRET": KEY},
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert task_id in result.stdout
