"""Submitting does each check once: the DNS guard, frame inlining and validation per run."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.catalog.validation import validate_create_body
from app.core.keys import OWNER_PREFIX, Caller
from app.frames.guard import FrameGuard
from app.frames.owners import FrameOwners
from app.frames.refs import FrameStore
from app.main import network_transport
from app.media.copies import MediaStore, VideoSaver
from app.runway.client import RunwayClient
from app.runway.guard import GuardPolicy, IPAddress, resolve_checked
from app.runway.upstreams import UpstreamAccess
from app.simulator.app import create_simulator_app
from app.storage.database import Database
from app.storage.objects import LocalObjects
from app.storage.task_store import TaskStore
from app.tasks.recording import TaskRecorder
from app.tasks.refresh import Refresher
from app.tasks.submission import Submission
from app.team.budgets import Budgets
from app.team.members import Members
from app.team.usage import Usage
from tests.conftest import make_settings
from tests.helpers import data_uri, image_bytes, seed_body

CALLER = Caller("hk-submission-test-key-0001", "key:submission-test")


@dataclass
class Counted:
    """The real guard and validator, each counting how often it runs."""

    lookups: list[str]
    validations: list[dict[str, Any]]

    async def resolve_host(self, host: str, port: int, policy: GuardPolicy) -> IPAddress:
        self.lookups.append(host)
        return await resolve_checked(host, port, policy)

    def validate(self, body: dict[str, Any]) -> None:
        self.validations.append(body)
        validate_create_body(body)


@pytest.fixture
async def wired(tmp_path: Path) -> AsyncIterator[tuple[Submission, Counted]]:
    """A Submission over the real parts (SQLite, frames, the simulator in process, the guarded
    network transport), allowed to call loopback so a live simulator can be the relay."""
    settings = make_settings(tmp_path / "data", CONSOLE_ALLOW_PRIVATE_UPSTREAMS=True)
    settings.data_dir.mkdir(parents=True)
    policy = GuardPolicy(allow_private=True)
    counted = Counted([], [])
    upstreams = UpstreamAccess(settings, b"secret", policy, resolve_host=counted.resolve_host)
    storage = TaskStore(Database(settings.resolved_database_url))
    await storage.database.migrate()
    simulator = create_simulator_app(tmp_path / "sim", speed=5)
    client = RunwayClient(
        network_transport(policy), httpx.ASGITransport(simulator), httpx.Timeout(10.0)
    )
    objects = LocalObjects(settings.data_dir)
    media = MediaStore(objects, tmp_path / "scratch")
    saver = VideoSaver(storage, media, client, 1024 * 1024)
    refresher = Refresher(settings, storage, client, upstreams, saver)
    frames = FrameStore(objects)
    recorder = TaskRecorder(storage)
    submission = Submission(
        storage,
        frames,
        client,
        upstreams,
        refresher,
        recorder,
        counted.validate,
        Budgets(Usage(storage.database), upstreams.default_address),
        owners=FrameOwners(
            storage.database,
            FrameGuard(storage.database),
            frames,
            settings.frame_bytes_per_day,
            settings.frame_bytes_per_address_day,
        ),
    )
    await Members(storage.database).create("pat", 25)  # one 5-second gen4_turbo task a day
    try:
        yield submission, counted
    finally:
        await saver.close()
        await recorder.close()
        await client.aclose()
        await storage.database.close()
        simulator.state.sim.renderer.shutdown()


async def test_a_body_without_local_frames_is_validated_once(
    wired: tuple[Submission, Counted],
) -> None:
    submission, counted = wired
    await submission.prepare(seed_body("https://example.com/a.jpg"), None, owner="anonymous")
    assert len(counted.validations) == 1


async def test_a_body_with_an_upload_is_validated_once_as_sent(
    wired: tuple[Submission, Counted],
) -> None:
    submission, counted = wired
    ready = await submission.prepare(seed_body(data_uri(image_bytes())), None, owner="anonymous")
    assert counted.validations == [ready.to_send]
    assert ready.to_store["promptImage"][0]["uri"].startswith("frame:")


async def test_a_group_checks_each_run_once(
    wired: tuple[Submission, Counted], live_simulator: str
) -> None:
    """Two runs on a relay address: one DNS-guard check and one validation per run, not two."""
    submission, counted = wired
    body = seed_body(data_uri(image_bytes()))
    runs = [({**body, "seed": seed}, live_simulator) for seed in (1, 2)]
    started, refusals = await submission.submit_group(runs, CALLER, "group-token")
    assert refusals == [] and len(started) == 2
    assert counted.lookups == ["127.0.0.1", "127.0.0.1"]
    assert [sent["seed"] for sent in counted.validations] == [1, 2]


async def test_a_run_past_the_budget_is_a_refusal_of_that_run_after_one_started(
    wired: tuple[Submission, Counted], tmp_path: Path
) -> None:
    """The member's budget takes run 1 and not run 2: run 1 started (and is billed), so the
    group answers it with run 2's refusal, never a refusal of the whole; the token is
    finished, so a repeat finds the group and starts nothing."""
    submission, _counted = wired
    member = Caller(None, f"{OWNER_PREFIX}pat")
    runs = [
        ({**seed_body(data_uri(image_bytes(color=(seed * 60, 90, 40)))), "seed": seed}, None)
        for seed in (1, 2)
    ]
    started, refusals = await submission.submit_group(runs, member, "budget-group")
    assert len(started) == 1 and len(refusals) == 1, refusals
    assert "budget" in refusals[0]
    kept = {frame.name.split(".")[0] for frame in (tmp_path / "data" / "frames").iterdir()}
    assert len(kept) == 1, "run 2's frame is given back"
    again, _ = await submission.submit_group(runs, member, "budget-group")
    assert [record.id for record in again] == [started[0].id]
