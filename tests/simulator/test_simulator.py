"""The simulator behaves like Runway: paths, validation, lifecycle, output, faults."""

import time
from pathlib import Path

import av
import httpx
import pytest

from app.simulator.app import create_simulator_app
from tests.helpers import data_uri, image_bytes, is_final, poll_until, seed_body

VERSION = {"X-Runway-Version": "2024-11-06"}  # required on /v1, as on the official API
AUTH = {"Authorization": "Bearer hk-test-key", **VERSION}


async def wait_final(sim: httpx.AsyncClient, task_id: str, prefix: str = "") -> list[dict]:
    """Every state seen until the task is final (rendering may take a while on a busy machine)."""
    seen: list[dict] = []

    async def read() -> dict:
        seen.append((await sim.get(f"{prefix}/v1/tasks/{task_id}", headers=AUTH)).json())
        return seen[-1]

    await poll_until(read, is_final, what="finished")
    return seen


@pytest.mark.parametrize("prefix", ["", "/runwayml"])
async def test_a_task_moves_pending_running_succeeded(sim: httpx.AsyncClient, prefix: str) -> None:
    created = await sim.post(
        f"{prefix}/v1/image_to_video", headers=AUTH, json=seed_body(data_uri(image_bytes()))
    )
    assert created.status_code == 200
    seen = await wait_final(sim, created.json()["id"], prefix)
    statuses = [s["status"] for s in seen]
    assert statuses[0] == "PENDING"
    assert "RUNNING" in statuses
    assert statuses[-1] == "SUCCEEDED"
    progress = [s["progress"] for s in seen if s["status"] == "RUNNING"]
    assert progress == sorted(progress) and all(0 <= p < 1 for p in progress)
    assert seen[-1]["output"][0].startswith("http://sim/outputs/")


async def test_the_output_is_an_mp4_of_the_right_length_and_shape(
    sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    body = {**seed_body(data_uri(image_bytes((500, 500)))), "duration": 10, "ratio": "768:1280"}
    task_id = (await sim.post("/v1/image_to_video", headers=AUTH, json=body)).json()["id"]
    url = (await wait_final(sim, task_id))[-1]["output"][0]
    video = await sim.get(url)
    assert video.headers["content-type"] == "video/mp4"
    path = tmp_path / "out.mp4"
    path.write_bytes(video.content)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (768, 1280)
        assert float(stream.duration * stream.time_base) == pytest.approx(10, abs=0.1)


@pytest.mark.parametrize(
    "auth",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic x"},
        {"Authorization": "Bearer hk-invalid"},
    ],
)
async def test_a_missing_or_bad_key_gets_401(sim: httpx.AsyncClient, auth: dict) -> None:
    response = await sim.post("/v1/image_to_video", headers={**auth, **VERSION}, json={})
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid API key"}


async def test_bad_input_gets_400_naming_the_parameter(sim: httpx.AsyncClient) -> None:
    body = {**seed_body("https://example.com/a.jpg"), "ratio": "1:1"}
    response = await sim.post("/v1/image_to_video", headers=AUTH, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid parameter 'ratio'"


async def test_unknown_task_is_404(sim: httpx.AsyncClient) -> None:
    response = await sim.get("/v1/tasks/00000000-0000-0000-0000-000000000000", headers=AUTH)
    assert response.status_code == 404


async def test_delete_cancels_a_running_task_then_deletes_it(sim: httpx.AsyncClient) -> None:
    body = {**seed_body("https://example.com/a.jpg"), "promptText": "slow [sim:slow]"}
    task_id = (await sim.post("/v1/image_to_video", headers=AUTH, json=body)).json()["id"]
    assert (await sim.delete(f"/v1/tasks/{task_id}", headers=AUTH)).status_code == 204
    assert (await sim.get(f"/v1/tasks/{task_id}", headers=AUTH)).json()["status"] == "CANCELLED"
    assert (await sim.delete(f"/v1/tasks/{task_id}", headers=AUTH)).status_code == 204
    assert (await sim.get(f"/v1/tasks/{task_id}", headers=AUTH)).status_code == 404


async def test_moderation_marker_fails_the_task_with_a_safety_code(sim: httpx.AsyncClient) -> None:
    body = {**seed_body("https://example.com/a.jpg"), "promptText": "x [sim:moderation]"}
    task_id = (await sim.post("/v1/image_to_video", headers=AUTH, json=body)).json()["id"]
    final = (await wait_final(sim, task_id))[-1]
    assert final["status"] == "FAILED"
    assert final["failureCode"] == "SAFETY.INPUT.TEXT"


async def test_throttle_marker_shows_throttled_first(sim: httpx.AsyncClient) -> None:
    body = {**seed_body("https://example.com/a.jpg"), "promptText": "x [sim:throttle]"}
    task_id = (await sim.post("/v1/image_to_video", headers=AUTH, json=body)).json()["id"]
    assert "THROTTLED" in [s["status"] for s in await wait_final(sim, task_id)]


async def test_the_credit_balance_goes_down_per_second_generated(sim: httpx.AsyncClient) -> None:
    before = (await sim.get("/v1/organization", headers=AUTH)).json()["creditBalance"]
    body = {**seed_body("https://example.com/a.jpg"), "duration": 10}
    await sim.post("/v1/image_to_video", headers=AUTH, json=body)
    after = (await sim.get("/v1/organization", headers=AUTH)).json()["creditBalance"]
    assert before - after == 50


async def test_the_balance_survives_a_restart_and_a_deleted_task_gives_its_credits_back(
    tmp_path: Path,
) -> None:
    body = {**seed_body("https://example.com/a.jpg"), "duration": 10}
    balances = []
    for _restart in range(2):
        app = create_simulator_app(tmp_path / "sim", speed=10)
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
            if not balances:
                balances.append((await sim.get("/v1/organization", headers=AUTH)).json())
                task = (await sim.post("/v1/image_to_video", headers=AUTH, json=body)).json()
            balances.append((await sim.get("/v1/organization", headers=AUTH)).json())
    assert balances[0]["creditBalance"] - balances[1]["creditBalance"] == 50
    assert balances[2] == balances[1], "a restarted simulator reads its task files again"
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        await wait_final(sim, task["id"])  # a finished task is deleted (a running one cancelled)
        await sim.delete(f"/v1/tasks/{task['id']}", headers=AUTH)
        after = (await sim.get("/v1/organization", headers=AUTH)).json()
    assert after["creditBalance"] == balances[0]["creditBalance"]


async def test_output_urls_expire_and_a_fresh_read_gives_a_new_one(sim: httpx.AsyncClient) -> None:
    await sim.post("/_sim/faults", json={"output_ttl_s": -1})
    task_id = (
        await sim.post(
            "/v1/image_to_video", headers=AUTH, json=seed_body("https://example.com/a.jpg")
        )
    ).json()["id"]
    url = (await wait_final(sim, task_id))[-1]["output"][0]
    assert (await sim.get(url)).status_code == 403
    await sim.delete("/_sim/faults")
    fresh = (await sim.get(f"/v1/tasks/{task_id}", headers=AUTH)).json()["output"][0]
    assert (await sim.get(fresh)).status_code == 200
    tampered = fresh.replace("sig=", "sig=0")
    assert (await sim.get(tampered)).status_code == 403


@pytest.mark.parametrize(
    ("rule", "status", "check"),
    [
        (
            {"target": "read", "kind": "status", "status": 429, "retry_after": 3},
            429,
            lambda r: r.headers["Retry-After"] == "3",
        ),
        ({"target": "read", "kind": "status", "status": 503}, 503, lambda r: "503" in r.text),
        ({"target": "read", "kind": "malformed"}, 200, lambda r: r.text == '{"id": "oops'),
        ({"target": "read", "kind": "html", "status": 502}, 502, lambda r: "<html>" in r.text),
    ],
)
async def test_fault_switches_fire_once_then_clear(
    sim: httpx.AsyncClient, rule: dict, status: int, check: object
) -> None:
    task_id = (
        await sim.post(
            "/v1/image_to_video", headers=AUTH, json=seed_body("https://example.com/a.jpg")
        )
    ).json()["id"]
    await sim.post("/_sim/faults", json={"rules": [rule]})
    faulty = await sim.get(f"/v1/tasks/{task_id}", headers=AUTH)
    assert faulty.status_code == status
    assert check(faulty)  # type: ignore[operator]
    assert (await sim.get(f"/v1/tasks/{task_id}", headers=AUTH)).status_code == 200


async def test_latency_fault_delays_the_answer(sim: httpx.AsyncClient) -> None:
    await sim.post(
        "/_sim/faults", json={"rules": [{"target": "create", "kind": "latency", "latency_ms": 300}]}
    )
    started = time.monotonic()
    await sim.post("/v1/image_to_video", headers=AUTH, json=seed_body("https://example.com/a.jpg"))
    assert time.monotonic() - started >= 0.3


async def test_a_restarted_simulator_still_knows_its_tasks(tmp_path: Path) -> None:
    first = create_simulator_app(tmp_path / "sim", speed=10)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(first), base_url="http://s") as c:
        task_id = (
            await c.post(
                "/v1/image_to_video", headers=AUTH, json=seed_body("https://example.com/a.jpg")
            )
        ).json()["id"]
    second = create_simulator_app(tmp_path / "sim", speed=10)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(second), base_url="http://s") as c:
        assert (await wait_final(c, task_id))[-1]["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    "window",
    [
        {"startDate": "9999-12-25"},
        {"beforeDate": "0001-01-02"},
        {"startDate": "9999-12-31", "beforeDate": "9999-12-31"},
    ],
)
async def test_a_usage_window_past_the_calendar_is_a_400(
    sim: httpx.AsyncClient, window: dict
) -> None:
    """A start near year 9999 has no default end (30 days later is past the calendar), and an
    end near year 1 no default start: a 400 naming the date, never a 500."""
    answer = await sim.post("/v1/organization/usage", json=window, headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert "Date" in answer.json()["error"]
