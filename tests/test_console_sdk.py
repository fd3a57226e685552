"""The console's gateway, driven by the official Python SDK with strict response validation.

Real processes on loopback: the standalone simulator as the console's upstream (its operator
key in the console's environment), `runway-console serve` in front of it, and the SDK calling
the console with a member token (or a developer's own key, passed through). Each answer must
parse as the type the SDK declares for it, cost fields and per-status variants included.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import runwayml
from runwayml import RunwayML, TaskFailedError
from runwayml.lib import polling

from tests.conftest import FAST_ENV
from tests.helpers import ROOT, data_uri, free_port, image_bytes, live_process
from tests.sdk_reads import is_variant, watch

OPERATOR_KEY = "key_console_operator"
PASSWORD = "console sdk password 1234"
FRAME = data_uri(image_bytes((1280, 720)))
VERSION = {"X-Runway-Version": "2024-11-06"}


@dataclass(frozen=True)
class Stack:
    console: str
    simulator: str
    token: str  # a member token, made with the CLI

    def sdk(self, key: str | None = None) -> RunwayML:
        return RunwayML(
            base_url=self.console,
            api_key=key or self.token,
            max_retries=0,
            _strict_response_validation=True,
        )


@pytest.fixture
def stack(live_simulator: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The standalone simulator, a console whose operator upstream it is, a member token."""
    monkeypatch.setattr(polling, "POLL_TIME", 0.3)  # the SDK waits 4.5-7.5 s between polls
    monkeypatch.setattr(polling, "POLL_JITTER", 0.1)
    env = {
        **FAST_ENV,
        "CONSOLE_DATA_DIR": str(tmp_path / "console"),
        "CONSOLE_PASSWORD": PASSWORD,
        "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": "true",
        "RUNWAYML_BASE_URL": live_simulator,
        "RUNWAYML_API_SECRET": OPERATOR_KEY,
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
        yield Stack(f"http://127.0.0.1:{port}", live_simulator, token)


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
    assert httpx.get(url).content[4:8] == b"ftyp"


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


def test_a_task_cancelled_upstream_reads_as_cancelled_at_no_cost(stack: Stack) -> None:
    with stack.sdk() as sdk:
        created = sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, prompt_text="[sim:slow]", ratio="1280:720"
        )
        operator = {"Authorization": f"Bearer {OPERATOR_KEY}", **VERSION}
        cancel = httpx.delete(f"{stack.simulator}/v1/tasks/{created.id}", headers=operator)
        assert cancel.status_code == 204
        cancelled = watch(sdk, created.id, tries=600)[-1]
    assert is_variant(cancelled, "CANCELLED") and cancelled.cost.credits == 0


def test_delete_removes_the_task(stack: Stack) -> None:
    with stack.sdk() as sdk:
        created = sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, prompt_text="[sim:slow]", ratio="1280:720"
        )
        sdk.tasks.delete(created.id)
        with pytest.raises(runwayml.NotFoundError):
            sdk.tasks.retrieve(created.id)


def test_the_organization_parses_with_an_integer_balance(stack: Stack) -> None:
    with stack.sdk() as sdk:
        before = sdk.organization.retrieve()
        sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, ratio="1280:720", duration=5
        )
        after = sdk.organization.retrieve()
    assert isinstance(after.credit_balance, int)
    assert after.credit_balance == before.credit_balance - 25


def test_a_developers_own_key_passes_through_and_parses_alike(stack: Stack) -> None:
    with stack.sdk("key_developer_own") as sdk:
        task = sdk.image_to_video.create(
            model="gen4_turbo", prompt_image=FRAME, ratio="1280:720", duration=5
        ).wait_for_task_output(timeout=90)
        assert is_variant(task, "SUCCEEDED") and task.cost.credits == 25
        assert isinstance(sdk.organization.retrieve().credit_balance, int)
