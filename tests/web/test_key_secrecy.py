"""The key never leaves the request: not in logs, pages, answers, exports or the data dir.

Whole flows run with a marker key against a real console process (and, as a relay, the
standalone simulator); then every byte the console produced is searched for the marker.
"""

import time
from pathlib import Path

import httpx

from tests.helpers import (
    POLL_DUE_S,
    data_uri,
    free_port,
    image_bytes,
    live_process,
    seed_body,
)

MARKER = "hk-MARKERKEY-do-not-leak-7f3a9c21"
MASKED = "hk-…9c21"


def drain(http: httpx.Client, url: str, headers: dict, until: tuple[str, ...]) -> dict:
    for _ in range(300):
        task = http.get(url, headers=headers).json()
        if task["status"] in until:
            return task
        time.sleep(0.1)
    raise AssertionError(task)


def test_a_marker_key_appears_nowhere_the_console_writes(
    tmp_path: Path, live_simulator: str
) -> None:
    port = free_port()
    data_dir = tmp_path / "console-data"
    log = tmp_path / "console.log"
    env = {
        "CONSOLE_DATA_DIR": str(data_dir),
        "CONSOLE_SIMULATOR_SPEED": "5",
        "CONSOLE_SIMULATOR_POLL_INTERVAL_S": "0.1",
        "CONSOLE_POLL_INTERVAL_S": "0.1",
        "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
    }
    key = {"X-Runway-Key": MARKER}
    produced: list[bytes] = []

    def keep(response: httpx.Response) -> httpx.Response:
        produced.append(str(response.headers).encode() + response.content)
        return response

    with (
        live_process(["serve", "--port", str(port)], env, port, log),
        httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            event_hooks={"response": [lambda r: r.read()]},
        ) as http,
    ):
        page = keep(http.get("/"))
        csrf = {"X-CSRF-Token": http.cookies["rc_csrf"], "HX-Request": "true"}
        for address in ("simulator", live_simulator):
            body = {**seed_body(data_uri(image_bytes())), "baseUrl": address}
            task = keep(http.post("/api/tasks", json=body, headers=key)).json()
            done = drain(http, f"/api/tasks/{task['id']}", key, ("SUCCEEDED",))
            for _ in range(300):
                if keep(http.get(f"/api/tasks/{task['id']}", headers=key)).json()["videoSaved"]:
                    break
                time.sleep(0.1)
            else:  # the saved copy and its files must be among what is searched
                raise AssertionError(f"the video of {address} was never saved")
            keep(http.get(f"/tasks/{task['id']}", headers={**key, **csrf}))
            keep(http.get(f"/form/reuse/{task['id']}", headers={**key, **csrf}))
            keep(http.get(f"/api/tasks/{task['id']}/export.zip", headers=key))
            assert done["status"] == "SUCCEEDED"
        failing = {**seed_body("https://example.com/a.jpg"), "promptText": "x [sim:moderation]"}
        failed = keep(http.post("/api/tasks", json=failing, headers=key)).json()
        drain(http, f"/api/tasks/{failed['id']}", key, ("FAILED",))
        refused = {**seed_body("https://example.com/a.jpg"), "promptText": "x [sim:401]"}
        assert keep(http.post("/api/tasks", json=refused, headers=key)).status_code == 502
        http.post(
            "/simulator/_sim/faults",
            json={"rules": [{"target": "read", "kind": "status", "status": 500, "remaining": 3}]},
        )
        running = keep(
            http.post("/api/tasks", json=seed_body("https://example.com/a.jpg"), headers=key)
        ).json()
        time.sleep(POLL_DUE_S)
        assert keep(http.get(f"/api/tasks/{running['id']}", headers=key)).json()["lastError"]
        bad_address = {
            **seed_body("https://example.com/a.jpg"),
            "baseUrl": "https://169.254.169.254",
        }
        assert keep(http.post("/api/tasks", json=bad_address, headers=key)).status_code == 422
        form = {
            "model": "gen3a_turbo",
            "first_url": "https://example.com/a.jpg",
            "promptText": "page flow",
            "ratio": "1280:768",
            "duration": "5",
        }
        keep(http.post("/tasks", data=form, headers={**key, **csrf}))
        keep(http.post("/tasks", data={**form, "seed": "bad"}, headers={**key, **csrf}))
        keep(http.get("/history", headers={**key, **csrf}))
        keep(http.get("/api/tasks/export.zip", headers=key))
        keep(http.get("/api/tasks", headers=key))
        assert page.status_code == 200

    secret = MARKER.encode()
    assert not [i for i, blob in enumerate(produced) if secret in blob], "an answer leaked it"
    assert secret not in log.read_bytes(), "the log leaked it"
    leaking_files = [p for p in data_dir.rglob("*") if p.is_file() and secret in p.read_bytes()]
    assert leaking_files == [], leaking_files
    assert any(MASKED.encode() in blob for blob in produced), "the mask is what is shown"
    assert len(produced) > 20
