"""History that lasts: video copies, Range, scoping, delete, export, events, paging, reuse."""

import asyncio
import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.core.settings import Settings
from app.storage.objects import open_object_store
from app.storage.task_record import TaskRecord
from app.web.deps import services
from tests.conftest import asgi_client, make_settings, opened, started
from tests.engines import SeaweedServer
from tests.helpers import (
    create_body,
    data_uri,
    image_bytes,
    poll_until,
    seed_body,
    task_until,
    wait_saved,
)


@pytest.fixture
def settings(engine_settings: Settings) -> Settings:
    """Every test here runs on SQLite and on a real PostgreSQL."""
    return engine_settings


KEY = {"X-Runway-Key": "hk-history-test-key-7c1d"}
OTHER = {"X-Runway-Key": "hk-someone-else-key-0000"}


async def run_to_saved(client: httpx.AsyncClient, body: dict, headers: dict = KEY) -> dict:
    created = await client.post("/api/tasks", json=body, headers=headers)
    assert created.status_code == 201, created.text

    def saved(task: dict) -> bool:
        assert task["status"] in ("PENDING", "RUNNING", "SUCCEEDED"), task
        return task["status"] == "SUCCEEDED" and task["videoSaved"]

    return await task_until(client, created.json()["id"], saved, what="saved", headers=headers)


async def test_the_video_plays_from_media_after_the_upstream_url_expired(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/simulator/_sim/faults", json={"output_ttl_s": 1})
    task = await run_to_saved(client, seed_body(data_uri(image_bytes())))
    assert task["videoUrl"].startswith(f"http://console/media/{task['id']}.mp4?t=")
    await asyncio.sleep(1.2)
    assert (await client.get(task["output"][0])).status_code == 403
    video = await client.get(task["videoUrl"])
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert "max-age" in video.headers["cache-control"]
    assert video.content[4:8] == b"ftyp"


async def test_range_requests_get_206_with_the_right_bytes(client: httpx.AsyncClient) -> None:
    task = await run_to_saved(client, seed_body("https://example.com/a.jpg"))
    whole = (await client.get(task["videoUrl"])).content
    part = await client.get(task["videoUrl"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole)}"
    assert part.content == whole[100:200]
    tail = await client.get(task["videoUrl"], headers={"Range": "bytes=-50"})
    assert tail.content == whole[-50:]
    rest = await client.get(task["videoUrl"], headers={"Range": f"bytes={len(whole) - 10}-"})
    assert rest.status_code == 206 and rest.content == whole[-10:]
    beyond = await client.get(task["videoUrl"], headers={"Range": f"bytes={len(whole)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(whole)}"
    head = await client.head(task["videoUrl"], headers={"Range": "bytes=0-9"})
    assert head.status_code == 206 and head.headers["content-length"] == "10"
    assert head.content == b""


async def test_an_expired_url_is_renewed_by_reading_the_task_again(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/simulator/_sim/faults", json={"output_ttl_s": -1})
    created = (await client.post("/api/tasks", json=create_body(), headers=KEY)).json()
    done = await task_until(
        client, created["id"], lambda t: t["status"] == "SUCCEEDED", what="succeeded", headers=KEY
    )
    expired = done["output"][0]
    await poll_until(  # the background copy meets the expired link and is refused
        lambda: sim_stats(client), lambda stats: stats.get("output", 0) >= 1, what="tried"
    )
    await client.delete("/simulator/_sim/faults")
    task = await wait_saved(client, created["id"], headers=KEY)
    assert task["output"][0] != expired, "the copy came from a fresh link, read again"
    assert (await client.get(expired)).status_code == 403
    assert (await sim_stats(client))["output"] >= 2, "one refused try, then the fresh link"


async def sim_stats(client: httpx.AsyncClient) -> dict:
    return (await client.get("/simulator/_sim/stats")).json()


async def test_another_key_sees_nothing_and_cannot_fetch_the_video(
    client: httpx.AsyncClient,
) -> None:
    task = await run_to_saved(client, seed_body("https://example.com/a.jpg"))
    assert (await client.get("/api/tasks", headers=OTHER)).json()["tasks"] == []
    bare = f"/media/{task['id']}.mp4"
    assert (await client.get(bare, headers=OTHER)).status_code == 404
    assert (await client.get(bare + "?t=forged", headers=OTHER)).status_code == 404
    assert (await client.get(bare, headers=KEY)).status_code == 200
    assert (await client.get(task["videoUrl"], headers=OTHER)).status_code == 200  # the token
    assert (
        await client.get(f"/api/tasks/{task['id']}/export.zip", headers=OTHER)
    ).status_code == 404


async def test_delete_removes_video_and_frames_no_other_task_uses(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    shared = data_uri(image_bytes(color=(1, 2, 3)))
    only_mine = data_uri(image_bytes(color=(4, 5, 6)))
    keep = await run_to_saved(client, seed_body(shared))
    drop = await run_to_saved(
        client,
        {
            **seed_body(shared),
            "promptImage": [
                {"uri": shared, "position": "first"},
                {"uri": only_mine, "position": "last"},
            ],
        },
    )
    objects = open_object_store(settings.object_store, settings.data_dir, settings.s3_env())
    facts = lambda: [key for key in objects.keys("frames/") if key.endswith(".json")]  # noqa: E731
    assert len(facts()) == 2
    assert (await client.delete(f"/api/tasks/{drop['id']}", headers=KEY)).status_code == 204
    assert len(facts()) == 1
    assert len(objects.keys("frames/")) == 3, "the kept frame's image, facts and thumbnail"
    assert objects.keys("videos/") == [f"videos/{keep['id']}.mp4"]
    assert (await client.get(keep["videoUrl"])).status_code == 200


async def test_export_has_the_task_json_frames_and_video_and_no_key(
    client: httpx.AsyncClient,
) -> None:
    task = await run_to_saved(client, seed_body(data_uri(image_bytes())))
    response = await client.get(f"/api/tasks/{task['id']}/export.zip", headers=KEY)
    assert response.headers["content-type"] == "application/zip"
    assert KEY["X-Runway-Key"].encode() not in response.content
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "task.json" in names and "video.mp4" in names
    assert any(n.startswith("frames/") and n.endswith(".png") for n in names)
    document = json.loads(archive.read("task.json"))
    assert document["key"] == "hk-…7c1d"
    statuses = [e["status"] for e in document["statusChanges"]]
    assert statuses[0] == "PENDING" and statuses[-1] == "SUCCEEDED" and "RUNNING" in statuses
    assert document["upstreamExchanges"][0]["method"] == "POST"
    everything = await client.get("/api/tasks/export.zip", headers=KEY)
    assert f"{task['id']}/task.json" in zipfile.ZipFile(io.BytesIO(everything.content)).namelist()


async def test_history_pages_newest_first(client: httpx.AsyncClient) -> None:
    container = services(client._transport.app)  # type: ignore[attr-defined]
    app_service = container.running.tasks
    from tests.storage.test_storage import record

    owner = app_service.caller(KEY["X-Runway-Key"]).owner
    for index in range(60):
        done = record(f"task-{index:03d}", owner=owner, created_at=1000.0 + index)
        done.status = "SUCCEEDED"
        await container.task_store.add(done)
    first = BeautifulSoup((await client.get("/history", headers=KEY)).text, "html.parser")
    ids = [row["data-task-id"] for row in first.select(".history-row")]
    assert ids[:2] == ["task-059", "task-058"] and len(ids) == 25
    more = first.select_one(".history-more button")["hx-get"]
    second = BeautifulSoup((await client.get(more, headers=KEY)).text, "html.parser")
    assert second.select(".history-row")[0]["data-task-id"] == "task-034"
    failed = BeautifulSoup(
        (await client.get("/history?status=FAILED", headers=KEY)).text, "html.parser"
    )
    assert failed.select(".history-row") == []


async def test_reuse_fills_every_setting_and_both_frames(client: httpx.AsyncClient) -> None:
    body = {
        **seed_body(data_uri(image_bytes())),
        "promptText": "reuse me",
        "seed": 42,
        "watermark": True,
    }
    body["promptImage"][1]["uri"] = data_uri(image_bytes(color=(9, 9, 9)))
    task = (await client.post("/api/tasks", json=body, headers=KEY)).json()
    page = BeautifulSoup(
        (await client.get(f"/form/reuse/{task['id']}", headers=KEY)).text, "html.parser"
    )
    assert page.select_one("#promptText").text == "reuse me"
    assert page.select_one("#seed")["value"] == "42"
    assert page.select_one("input[name=watermark]").has_attr("checked")
    assert page.select_one("input[name=first_ref]")["value"].startswith("frame:")
    assert page.select_one("input[name=last_ref]")["value"].startswith("frame:")
    assert page.select_one("#baseUrl")["hx-swap-oob"] == "true"
    fresh = BeautifulSoup(
        (await client.get(f"/form/reuse/{task['id']}?new_seed=1", headers=KEY)).text, "html.parser"
    )
    assert fresh.select_one("#seed")["value"] != "42"
    assert (await client.get(f"/form/reuse/{task['id']}", headers=OTHER)).status_code == 404


async def test_a_saved_copy_is_whole_where_the_deployment_keeps_files(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Files under the data dir by default; with an object store, nothing of a task is on
    this replica's disk (the simulator is the upstream, not the console)."""
    body = seed_body(data_uri(image_bytes()))
    task = await run_to_saved(client, body)
    objects = open_object_store(settings.object_store, settings.data_dir, settings.s3_env())
    key = f"videos/{task['id']}.mp4"
    assert objects.keys("videos/") == [key], "whole, and no partial upload left beside it"
    assert objects.size(key) > 1000
    assert len(objects.keys("frames/")) == 3, "the frame, its facts and its thumbnail"
    console_files = [
        path.relative_to(settings.data_dir).as_posix()
        for path in settings.data_dir.rglob("*")
        if path.is_file() and "simulator" not in path.parts
    ]
    if settings.object_store:
        assert console_files == []
    else:
        assert key in console_files


async def test_a_shared_run_is_one_self_contained_html_file(client: httpx.AsyncClient) -> None:
    task = await run_to_saved(client, seed_body(data_uri(image_bytes())))
    response = await client.get(f"/api/tasks/{task['id']}/share.html", headers=KEY)
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("video")["src"].startswith("data:video/mp4;base64,")
    assert page.select_one("img")["src"].startswith("data:image/png;base64,")
    assert not page.select("script"), "the shared file runs no script"
    for element in page.select("[src], [href]"):
        link = element.get("src") or element.get("href")
        assert link.startswith(("data:", "https://example.com/")), link
    assert KEY["X-Runway-Key"] not in response.text
    assert "hk-…7c1d" in response.text
    assert "SUCCEEDED" in page.select_one("h1").text
    assert "POST" in page.text and "RUNNING" in page.text
    assert (
        await client.get(f"/api/tasks/{task['id']}/share.html", headers=OTHER)
    ).status_code == 404


async def test_a_store_that_refuses_the_video_is_a_failed_copy_not_a_stuck_one(
    tmp_path: Path, seaweed: SeaweedServer
) -> None:
    """The real S3 server refuses the upload (the bucket does not exist): the copy fails with
    a reason and is retried, like a failed download, instead of dying with its lease held."""
    env = {**seaweed.env(), "CONSOLE_OBJECT_STORE": "s3://no-such-bucket/runs"}
    async with started(make_settings(tmp_path / "data", **env)) as app, asgi_client(app) as http:
        await opened(http)
        body = seed_body("https://example.com/a.jpg")
        task_id = (await http.post("/api/tasks", json=body, headers=KEY)).json()["id"]

        async def stored() -> TaskRecord:
            await http.get(f"/api/tasks/{task_id}", headers=KEY)
            return await services(app).task_store.get_any(task_id)

        failed = await poll_until(stored, lambda r: r.video_attempts >= 1, what="a try")
    assert failed.video_path is None
    assert "stor" in (failed.video_error or ""), failed.video_error
