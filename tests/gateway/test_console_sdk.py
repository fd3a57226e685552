"""The console's gateway, driven by the official Python SDK with strict response validation.

Real processes on loopback: `runway-console serve` with a password and a member token made with
the CLI, in front of the standalone simulator (its operator upstream, the operator's key in its
environment) or of its own built-in simulator; the SDK calls the console with the member token
(or a developer's own key, passed through). Each answer must parse as the type the SDK declares
for it, cost fields and per-status variants included; uploads go up as `create_ephemeral` sends
them, to the `uploadUrl` the console answers with.
"""

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
import runwayml
from PIL import Image
from runwayml import RunwayML, TaskFailedError
from runwayml.lib import polling

from tests.conftest import FAST_ENV
from tests.helpers import ROOT, data_uri, free_port, image_bytes, live_process
from tests.relay_stub import RelayStub
from tests.sdk_reads import is_variant, watch

OPERATOR_KEY = "key_console_operator"
PASSWORD = "console sdk password 1234"
FRAME = data_uri(image_bytes((1280, 720)))
VERSION = {"X-Runway-Version": "2024-11-06"}
LIMIT_S = 120


@dataclass(frozen=True)
class Stack:
    console: str
    simulator: str  # the standalone simulator's address, or "" for the built-in one
    token: str  # a member token, made with the CLI

    def sdk(self, key: str | None = None) -> RunwayML:
        return RunwayML(
            base_url=self.console,
            api_key=key or self.token,
            max_retries=0,
            _strict_response_validation=True,
        )


@contextmanager
def serving(tmp_path: Path, **env: str) -> Iterator[Stack]:
    """A console with a password and a member token, on the upstream `env` names."""
    env = {
        **FAST_ENV,
        "CONSOLE_DATA_DIR": str(tmp_path / "console"),
        "CONSOLE_PASSWORD": PASSWORD,
        "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
        **env,
    }
    made = subprocess.run(
        [sys.executable, "-m", "app", "token", "create", "sdk-member"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    token = made.stdout.strip().splitlines()[-1]
    port = free_port()
    with live_process(["serve", "--port", str(port)], env, port, tmp_path / "console.log"):
        yield Stack(f"http://127.0.0.1:{port}", env.get("RUNWAYML_BASE_URL", ""), token)


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(polling, "POLL_TIME", 0.3)  # the SDK waits 4.5-7.5 s between polls
    monkeypatch.setattr(polling, "POLL_JITTER", 0.1)


@pytest.fixture
def stack(live_simulator: str, tmp_path: Path) -> Iterator[Stack]:
    """The standalone simulator as the operator's upstream."""
    with serving(tmp_path, RUNWAYML_BASE_URL=live_simulator, RUNWAYML_API_SECRET=OPERATOR_KEY) as s:
        yield s


@pytest.fixture
def builtin(tmp_path: Path) -> Iterator[Stack]:
    """The console's own simulator as the upstream (no operator key)."""
    with serving(tmp_path) as made:
        yield made


@pytest.fixture(params=["standalone", "builtin"])
def either(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """Each upstream in turn: the standalone simulator as a relay-style address, then the
    console's own simulator."""
    if request.param == "builtin":
        with serving(tmp_path) as made:
            yield made
        return
    simulator = request.getfixturevalue("live_simulator")
    with serving(tmp_path, RUNWAYML_BASE_URL=simulator, RUNWAYML_API_SECRET=OPERATOR_KEY) as s:
        yield s


def fetch(url: str) -> bytes:
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, url
    return answer.content


def video_facts(data: bytes) -> tuple[tuple[int, int], Image.Image]:
    """A video's size and its first frame."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        first = next(container.decode(video=0)).to_image()
        return (stream.width, stream.height), first


def small_mp4() -> bytes:
    """A real H.264 MP4 of half a second at 320×180, made here."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        picture = Image.new("RGB", (320, 180), (30, 60, 200))
        for _ in range(12):
            container.mux(stream.encode(av.VideoFrame.from_image(picture)))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def finished(sdk: RunwayML, created: Any) -> Any:
    """Read the task through the SDK until it ends (every read strictly validated)."""
    assert created.estimated_cost.credits > 0
    deadline = time.monotonic() + LIMIT_S
    while (task := sdk.tasks.retrieve(created.id)).status not in ("SUCCEEDED", "FAILED"):
        assert time.monotonic() < deadline, f"task never finished: {task}"
        time.sleep(0.2)
    assert task.status == "SUCCEEDED", task
    assert task.cost.credits >= 0
    return task


def test_a_member_creates_and_waits_for_the_output(stack: Stack) -> None:
    with stack.sdk() as sdk:
        created = sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, ratio="1280:720", duration=5
        )
        assert created.estimated_cost.credits == 25
        done = created.wait_for_task_output(timeout=90)
    assert is_variant(done, "SUCCEEDED") and done.cost.credits == 25
    [url] = done.output
    # The console's saved copy once it has one, the upstream's signed URL until then.
    assert url.startswith((stack.console, stack.simulator))
    assert fetch(url)[4:8] == b"ftyp"


def test_every_read_parses_as_the_variant_of_its_status(stack: Stack) -> None:
    with stack.sdk() as sdk:
        created = sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, prompt_text="a quay", ratio="1280:720"
        )
        seen = watch(sdk, created.id, tries=600)
        throttled = sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, prompt_text="[sim:throttle]", ratio="960:960"
        )
        seen_throttled = watch(sdk, throttled.id, tries=600)
    assert all(is_variant(t, t.status) for t in seen + seen_throttled)
    assert {"PENDING", "RUNNING", "SUCCEEDED"} <= {t.status for t in seen}
    assert any(t.status == "THROTTLED" for t in seen_throttled)
    assert all(t.estimated_cost.credits == 50 for t in seen if t.status != "SUCCEEDED")


def test_a_failed_task_raises_with_its_code_and_the_refund(stack: Stack) -> None:
    with stack.sdk() as sdk:
        created = sdk.image_to_video.create(
            model="gen4.5",
            prompt_image=FRAME,
            prompt_text="a storm [sim:moderation]",
            ratio="1280:720",
            duration=5,
        )
        with pytest.raises(TaskFailedError) as failed:
            created.wait_for_task_output(timeout=90)
    details = failed.value.task_details
    assert is_variant(details, "FAILED")
    assert details.failure_code == "SAFETY.INPUT.TEXT" and details.failure
    assert details.cost.credits == 0  # the upstream refunded it, and the console says so


def test_cancelled_upstream_or_deleted_here(stack: Stack) -> None:
    """Cancelled at the upstream, it reads as CANCELLED at no cost; deleted here, it is gone."""
    with stack.sdk() as sdk:
        slow = {"model": "gen4_turbo", "prompt_image": FRAME, "ratio": "1280:720"}
        created = sdk.image_to_video.create(**slow, prompt_text="[sim:slow]")
        operator = {"Authorization": f"Bearer {OPERATOR_KEY}", **VERSION}
        cancel = httpx.delete(f"{stack.simulator}/v1/tasks/{created.id}", headers=operator)
        assert cancel.status_code == 204
        cancelled = watch(sdk, created.id, tries=600)[-1]
        deleted = sdk.image_to_video.create(**slow, prompt_text="[sim:slow]")
        sdk.tasks.delete(deleted.id)
        with pytest.raises(runwayml.NotFoundError):
            sdk.tasks.retrieve(deleted.id)
    assert is_variant(cancelled, "CANCELLED") and cancelled.cost.credits == 0


def test_the_organization_parses_with_an_integer_balance(stack: Stack) -> None:
    with stack.sdk() as sdk:
        before = sdk.organization.retrieve()
        sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, ratio="1280:720", duration=5
        )
        after = sdk.organization.retrieve()
    assert isinstance(after.credit_balance, int)
    assert after.credit_balance == before.credit_balance - 25


def test_a_members_organization_counts_their_own_runs(stack: Stack) -> None:
    """A member sees only their own runs; the developer's own key is its own account on the
    simulator (issue 27), so the member's run is in neither the developer's count nor theirs."""
    with stack.sdk("key_developer_own") as developer, stack.sdk() as member:
        for sdk in (developer, member):
            sdk.image_to_video.create(
                model="gen4_turbo", prompt_image=FRAME, ratio="1280:720", duration=5
            )
        theirs, mine = developer.organization.retrieve(), member.organization.retrieve()
    assert theirs.usage.models["gen4_turbo"].daily_generations <= 1
    assert mine.usage.models["gen4_turbo"].daily_generations == 1


def test_credits_are_json_integers_after_a_create_with_a_float_duration(stack: Stack) -> None:
    """The SDK's strict parsing still takes `9625.0` for an int, so the JSON itself is read:
    a `duration: 5.0` (a JSON number an app may well send) must not turn the balance or any
    credits into floats on their way through the console."""
    headers = {"Authorization": f"Bearer {stack.token}", **VERSION}
    with httpx.Client(base_url=stack.console, headers=headers, timeout=30) as raw:
        body = {"model": "gen4_turbo", "promptImage": FRAME, "ratio": "1280:720", "duration": 5.0}
        created = raw.post("/v1/image_to_video", json=body)
        assert created.status_code == 200, created.text
        estimate = created.json()["estimatedCost"]["credits"]
        deadline = time.monotonic() + LIMIT_S
        while "cost" not in (task := raw.get(f"/v1/tasks/{created.json()['id']}").json()):
            assert time.monotonic() < deadline, task
            assert type(task["estimatedCost"]["credits"]) is int, task
            time.sleep(0.2)
        balance = raw.get("/v1/organization").json()["creditBalance"]
    assert type(estimate) is int and estimate == 25
    assert type(task["cost"]["credits"]) is int and task["cost"]["credits"] == 25
    assert type(balance) is int


def test_a_developers_own_key_passes_through_and_parses_alike(stack: Stack) -> None:
    with stack.sdk("key_developer_own") as sdk:
        task = sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, ratio="1280:720", duration=5
        ).wait_for_task_output(timeout=90)
        assert is_variant(task, "SUCCEEDED") and task.cost.credits == 25
        assert isinstance(sdk.organization.retrieve().credit_balance, int)


def test_an_uploaded_png_is_a_first_frame_and_a_reference(either: Stack) -> None:
    """`create_ephemeral` through the console (a password on it, a member token), and the
    `runway://` URI as the first frame (the video starts from the uploaded picture) and as a
    text_to_image reference."""
    with either.sdk() as sdk:
        png = image_bytes((1280, 720), color=(20, 160, 60))
        uploaded = sdk.uploads.create_ephemeral(file=("green.png", png))
        assert uploaded.uri.startswith("runway://")
        frames = [{"uri": uploaded.uri, "position": "first"}]
        created = sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=frames, ratio="1280:720", duration=5, seed=1
        )
        done = created.wait_for_task_output(timeout=LIMIT_S)
        finished(
            sdk,
            sdk.text_to_image.create(
                model="gen4_image_turbo",
                prompt_text="@field at noon",
                ratio="1024:1024",
                reference_images=[{"uri": uploaded.uri, "tag": "field"}],
            ),
        )
    assert is_variant(done, "SUCCEEDED")
    size, first = video_facts(fetch(done.output[0]))
    red, green, blue = first.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert size == (1280, 720) and green > 140 and red < 50 and blue < 90


def test_an_uploaded_mp4_is_upscaled(either: Stack) -> None:
    with either.sdk() as sdk:
        uploaded = sdk.uploads.create_ephemeral(file=("blue.mp4", small_mp4()))
        created = sdk.video_upscale.create(
            model="magnific_video_upscaler_creative", video_uri=uploaded.uri, resolution="720p"
        )
        done = created.wait_for_task_output(timeout=LIMIT_S)
    size, first = video_facts(fetch(done.output[0]))
    assert size == (1280, 720)
    assert first.resize((1, 1)).getpixel((0, 0))[2] > 150  # the uploaded blue, upscaled


def test_a_relay_without_uploads_is_a_clear_404(relay: RelayStub, tmp_path: Path) -> None:
    with (
        serving(tmp_path, RUNWAYML_BASE_URL=relay.base_url) as console,
        console.sdk("key_developer_own") as sdk,
        pytest.raises(runwayml.NotFoundError) as refused,
    ):
        sdk.uploads.create_ephemeral(file=("frame.png", image_bytes()))
    assert "offers no uploads" in refused.value.message
    assert [seen.path for seen in relay.seen] == ["/runwayml/v1/uploads"]


@pytest.mark.parametrize(
    ("endpoint", "arguments", "field"),
    [
        ("image_to_video", {"model": "gen4_turbo", "ratio": "1280:720"}, "promptImage"),
        ("video_upscale", {"model": "magnific_video_upscaler_creative"}, "videoUri"),
    ],
)
def test_a_bad_runway_uri_is_runways_400_naming_the_parameter(
    builtin: Stack, endpoint: str, arguments: dict[str, str], field: str
) -> None:
    bad = "runway://uploads/a b\n"
    key = "prompt_image" if field == "promptImage" else "video_uri"
    with builtin.sdk() as sdk, pytest.raises(runwayml.BadRequestError) as refused:
        getattr(sdk, endpoint).create(**arguments, **{key: bad})
    assert refused.value.body["error"] == f"Invalid parameter '{field}'"
    # The console's own check (nothing sent upstream), which names the URI's fault.
    [issue] = refused.value.body["issues"]
    assert issue["path"] == [field] and "is not a runway:// upload URI" in issue["message"]


def test_text_to_image_through_the_console(either: Stack) -> None:
    with either.sdk() as sdk:
        created = sdk.text_to_image.create(
            model="gen4_image", prompt_text="a lighthouse at night", ratio="1080:1440", seed=3
        )
        task = finished(sdk, created)
    picture = Image.open(io.BytesIO(fetch(task.output[0])))
    assert picture.size == (1080, 1440)


def test_text_to_video_and_its_upscale_through_the_console(either: Stack) -> None:
    with either.sdk() as sdk:
        created = sdk.text_to_video.create(
            model="gen4.5", prompt_text="a slow pan over dunes", ratio="1280:720", duration=2
        )
        video = finished(sdk, created)
        assert video_facts(fetch(video.output[0]))[0] == (1280, 720)
        # Once saved, the console answers with its own copy, which the upstream cannot fetch:
        # an app hands it on as it is, and the console sends the upstream's own URL instead.
        deadline = time.monotonic() + LIMIT_S
        while "/v1/media/" not in (video := sdk.tasks.retrieve(video.id)).output[0]:
            assert time.monotonic() < deadline, "the video was never saved"
            time.sleep(0.2)
        upscale = "magnific_video_upscaler_creative"
        upscaled = finished(sdk, sdk.video_upscale.create(model=upscale, video_uri=video.output[0]))
    assert video_facts(fetch(upscaled.output[0]))[0] == (2560, 1440)
    headers = {"Authorization": f"Bearer {PASSWORD}", "X-Runway-Key": either.token}
    history = httpx.get(f"{either.console}/api/tasks", headers=headers, timeout=30)
    assert [t["endpoint"] for t in history.json()["tasks"][:2]] == [
        "video_upscale",
        "text_to_video",
    ]
