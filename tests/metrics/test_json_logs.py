"""CONSOLE_LOG_FORMAT=json: a console process writes one JSON object a line, a line for each event
of each task, and no key, token or password in any line."""

import json
import logging
import sqlite3
import sys
import time
from pathlib import Path

import httpx

from app.core.keys import mask_key
from app.log_format import JsonFormatter
from tests.conftest import FAST_ENV
from tests.helpers import create_body, free_port, live_process
from tests.team.test_members import cli

OPERATOR_KEY = "fake-operator-secret-json-logs-0001"  # an obvious fake
PERSONAL_KEY = "hk-personal-json-logs-7a7a7a7a"
PASSWORD = "json logs password 4b4b"
METRICS_TOKEN = "json-logs-metrics-token-3c3c3c3c"
SECRET_KEY = "json-logs-server-secret-5d5d5d5d5d5d"
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def wait_final(http: httpx.Client, task_id: str, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        task = http.get(f"/api/tasks/{task_id}", headers=headers).json()
        if task["status"] in FINAL:
            return task
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} never finished: {task}")


def events(database: Path) -> dict[str, list[str]]:
    """Each task's status events as the database keeps them, oldest first."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT task_id, status FROM task_events ORDER BY id").fetchall()
    found: dict[str, list[str]] = {}
    for task_id, status in rows:
        found.setdefault(task_id, []).append(status)
    return found


def run_tasks(base: str, upstream: str, member_token: str) -> dict[str, str]:
    """The operator's, a personal key's and a member's tasks (one failing), a create the
    upstream refuses and one over the member's budget; returns {task id: whose}."""
    admin = {"Authorization": f"Bearer {PASSWORD}"}
    personal = {**admin, "X-Runway-Key": PERSONAL_KEY}
    member = {**admin, "X-Runway-Key": member_token}
    made: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=30) as http:
        for whose, headers, body in (
            ("operator", admin, create_body()),
            ("operator", admin, create_body(promptText="a lake [sim:internal]")),
            ("personal", personal, create_body(baseUrl=upstream)),
            ("member", member, create_body()),
        ):
            answer = http.post("/api/tasks", json=body, headers=headers)
            assert answer.status_code == 201, answer.text
            made[answer.json()["id"]] = whose
        assert http.post("/api/tasks", json=create_body(), headers=member).status_code == 429
        refused = http.post("/api/tasks", json=create_body(promptText="[sim:503]"), headers=admin)
        assert refused.status_code == 502
        for task_id, whose in made.items():
            wait_final(http, task_id, {"personal": personal, "member": member}.get(whose, admin))
        wrong = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}x"})
        assert wrong.status_code == 401
        right = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert right.status_code == 200
    return made


def test_a_json_line_for_each_task_event_and_no_key_in_any(
    tmp_path: Path, live_simulator: str
) -> None:
    data, log = tmp_path / "console", tmp_path / "console.log"
    made = cli(data, "create", "alice", "--daily-credits", "30")
    member_token = made.stdout.strip().splitlines()[-1]
    port = free_port()
    env = {
        **FAST_ENV,
        "CONSOLE_DATA_DIR": str(data),
        "CONSOLE_DATABASE_URL": "",
        "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
        "RUNWAYML_API_SECRET": OPERATOR_KEY,
        "RUNWAYML_BASE_URL": live_simulator,
        "CONSOLE_PASSWORD": PASSWORD,
        "CONSOLE_METRICS_TOKEN": METRICS_TOKEN,
        "CONSOLE_SECRET_KEY": SECRET_KEY,
        "CONSOLE_LOG_FORMAT": "json",
    }
    with live_process(["serve", "--port", str(port)], env, port, log):
        tasks = run_tasks(f"http://127.0.0.1:{port}", live_simulator, member_token)

    text = log.read_text()
    for secret in (OPERATOR_KEY, PERSONAL_KEY, member_token, PASSWORD, METRICS_TOKEN, SECRET_KEY):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert any(line["logger"] == "uvicorn.access" for line in lines)
    kept = events(data / "console.db")
    for task_id, whose in tasks.items():
        logged = [line for line in lines if line.get("task_id") == task_id]
        assert [line["status"] for line in logged] == kept[task_id], (whose, logged)
        assert {line["logger"] for line in logged} == {
            "app.tasks.service"
        }  # docs/watching.md's filter
        assert logged[0]["upstream_status"] == 200 and logged[0]["duration_ms"] >= 0
        assert all(
            line.get("member") == ("alice" if whose == "member" else None) for line in logged
        )
    assert {tuple(kept[task_id][-1:]) for task_id in tasks} == {("SUCCEEDED",), ("FAILED",)}
    refusals = [line for line in lines if "over budget" in line["message"]]
    assert [line["member"] for line in refusals] == ["alice"]
    assert [line["upstream_status"] for line in lines if "failed upstream" in line["message"]] == [
        503
    ]


def test_the_json_formatter_masks_keys_whatever_the_message_says() -> None:
    formatter = JsonFormatter([OPERATOR_KEY, PASSWORD])
    said = (
        f"sent {OPERATOR_KEY} with Authorization: Bearer {PERSONAL_KEY}, "
        f"a member's rc_{'a1' * 20} and the password {PASSWORD}"
    )
    record = logging.LogRecord("app.x", logging.ERROR, __file__, 1, said, None, sys.exc_info())
    record.task_id = "t-1"
    line = json.loads(formatter.format(record))
    for secret in (OPERATOR_KEY, PERSONAL_KEY, "a1" * 20, PASSWORD):
        assert secret not in line["message"]
    assert mask_key(OPERATOR_KEY) in line["message"] and line["task_id"] == "t-1"
    assert line["level"] == "error" and line["time"].endswith("Z")


def test_the_access_log_masks_the_capabilities_urls_carry() -> None:
    """A hook's token, a media or thumbnail `?t=`, a share link and a simulator output's
    `?sig=` each open something without a login: an access-log line shows none of them."""
    formatter = JsonFormatter([])
    hook, media, share, sig = ("Hk" + "7" * 30, "c0ffee" * 6, "lnk42.5igNature_x-9", "9a" * 16)
    paths = [
        f"/hooks/{hook}",
        f"/hooks/{hook}?x=1",
        f"/media/t-1.mp4?t={media}",
        f"/v1/media/t-1.png?dl=1&t={media}",
        f"/frames/abc/thumb?t={media}",
        f"/shared/{share}",
        f"/shared/{share}/video.mp4",
        f"/simulator/outputs/t-1.mp4?exp=1700000000&sig={sig}",
    ]
    for path in paths:
        args = ("127.0.0.1:5000", "GET", path, "1.1", 200)  # as uvicorn's access logger says it
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None
        )
        message = json.loads(formatter.format(record))["message"]
        assert not any(secret in message for secret in (hook, media, share, sig)), message
        assert f"GET /{path.split('/')[1]}/" in message and message.endswith(" 200")


def test_the_plain_text_access_log_masks_the_capabilities_urls_carry(tmp_path: Path) -> None:
    """Without CONSOLE_LOG_FORMAT=json, uvicorn's own text lines are written: a hook's token, a
    media `?t=` and a share link in a requested path are masked there too."""
    hook, media, share = ("Hk" + "8" * 30, "beef01" * 6, "lnk77.5igNature_y-3")
    port, log = free_port(), tmp_path / "console.log"
    env = {**FAST_ENV, "CONSOLE_DATA_DIR": str(tmp_path / "data"), "CONSOLE_DATABASE_URL": ""}
    base = f"http://127.0.0.1:{port}"
    with (
        live_process(["serve", "--port", str(port)], env, port, log),
        httpx.Client(base_url=base, timeout=10) as http,
    ):
        for path in (f"/hooks/{hook}", f"/media/t-1.mp4?t={media}", f"/shared/{share}"):
            http.get(path)
        http.get("/healthz")  # the line after the last capability's, so all are written
    text = log.read_text()
    assert "GET /shared/" in text and "GET /media/t-1.mp4?t=" in text, text
    assert not any(secret in text for secret in (hook, media, share)), text
