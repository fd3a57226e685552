"""Simulator tasks belong to the key that made them; deleting one leaves no copy behind."""

import asyncio
from pathlib import Path

import httpx

from tests.helpers import data_uri, image_bytes, seed_body

VERSION = {"X-Runway-Version": "2024-11-06"}
ALICE = {"Authorization": "Bearer key_alice", **VERSION}
BOB = {"Authorization": "Bearer key_bob", **VERSION}


async def finished(sim: httpx.AsyncClient, headers: dict, body: dict | None = None) -> dict:
    body = body or seed_body(data_uri(image_bytes()), data_uri(image_bytes(color=(0, 90, 200))))
    task_id = (await sim.post("/v1/image_to_video", headers=headers, json=body)).json()["id"]
    for _ in range(200):
        task = (await sim.get(f"/v1/tasks/{task_id}", headers=headers)).json()
        if task["status"] == "SUCCEEDED":
            return task
        await asyncio.sleep(0.05)
    raise AssertionError(task)


def files_of(root: Path, task_id: str) -> list[str]:
    return sorted(p.name for p in root.rglob(f"{task_id}*"))


async def test_another_key_can_neither_read_nor_delete_a_task(sim: httpx.AsyncClient) -> None:
    task = await finished(sim, ALICE)
    assert (await sim.get(f"/v1/tasks/{task['id']}", headers=BOB)).status_code == 404
    assert (await sim.delete(f"/v1/tasks/{task['id']}", headers=BOB)).status_code == 404
    assert (await sim.get(f"/v1/tasks/{task['id']}", headers=ALICE)).status_code == 200


async def test_an_output_url_is_bound_to_its_task_and_dies_with_it(sim: httpx.AsyncClient) -> None:
    alice = await finished(sim, ALICE)
    bob = await finished(sim, BOB)
    url = alice["output"][0]
    assert (await sim.get(url)).status_code == 200  # a capability: no key needed to play it
    pointed_at_bob = url.replace(alice["id"], bob["id"])
    assert (await sim.get(pointed_at_bob)).status_code == 403
    await sim.delete(f"/v1/tasks/{alice['id']}", headers=ALICE)
    assert (await sim.get(url)).status_code == 404


async def test_deleting_a_finished_task_removes_its_frames_and_video(
    sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    task = await finished(sim, ALICE)
    assert (await sim.get(task["output"][0])).status_code == 200
    assert len(files_of(tmp_path / "sim", task["id"])) == 4  # task, two frames, video
    assert (await sim.delete(f"/v1/tasks/{task['id']}", headers=ALICE)).status_code == 204
    assert files_of(tmp_path / "sim", task["id"]) == []


async def test_cancelling_drops_the_frames_and_prompt_at_once(
    sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    body = {**seed_body(data_uri(image_bytes())), "promptText": "secret plan [sim:slow]"}
    task_id = (await sim.post("/v1/image_to_video", headers=ALICE, json=body)).json()["id"]
    assert (await sim.delete(f"/v1/tasks/{task_id}", headers=ALICE)).status_code == 204
    assert files_of(tmp_path / "sim", task_id) == [f"{task_id}.json"]
    assert "secret plan" not in (tmp_path / "sim" / "tasks" / f"{task_id}.json").read_text()


async def test_deleting_a_console_task_removes_the_simulator_s_copies(client, settings) -> None:
    """The console's delete reaches the built-in simulator for a finished task too, so its
    frames, video and prompt do not outlive the console's own copy."""
    body = seed_body(data_uri(image_bytes()), data_uri(image_bytes(color=(0, 90, 200))))
    task_id = (await client.post("/api/tasks", json=body)).json()["id"]
    for _ in range(200):
        task = (await client.get(f"/api/tasks/{task_id}")).json()
        if task["status"] == "SUCCEEDED":
            break
        await asyncio.sleep(0.05)
    simulator = settings.data_dir / "simulator"
    assert files_of(simulator, task_id), "the simulator keeps the task while the console does"
    assert (await client.delete(f"/api/tasks/{task_id}")).status_code == 204
    assert files_of(simulator, task_id) == []
