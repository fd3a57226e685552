"""The standalone simulator, driven by the official Python SDK with strict response validation:
every answer has the shape the SDK declares (costs, variants per status, integer balances)."""

from collections.abc import Iterator

import httpx
import pytest
import runwayml
from runwayml import RunwayML, TaskFailedError
from runwayml.lib import polling

from tests.helpers import data_uri, image_bytes
from tests.sdk_reads import is_variant, watch

FRAME = "https://example.com/first.jpg"


@pytest.fixture
def sdk(live_simulator: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunwayML]:
    monkeypatch.setattr(polling, "POLL_TIME", 0.3)  # the SDK waits 4.5-7.5 s between polls
    monkeypatch.setattr(polling, "POLL_JITTER", 0.1)
    with RunwayML(
        base_url=live_simulator, api_key="key_sdk_test", _strict_response_validation=True
    ) as client:
        yield client


def test_create_and_every_read_parse_as_the_variant_of_their_status(sdk: RunwayML) -> None:
    created = sdk.image_to_video.create(
        model="gen4_turbo", prompt_image=data_uri(image_bytes()), ratio="1280:720", duration=5
    )
    assert created.estimated_cost.credits == 25
    seen = watch(sdk, created.id)
    assert all(is_variant(t, t.status) for t in seen)
    assert {"PENDING", "RUNNING", "SUCCEEDED"} <= {t.status for t in seen}
    assert all(t.estimated_cost.credits == 25 for t in seen if t.status != "SUCCEEDED")
    assert seen[-1].cost.credits == 25 and seen[-1].output[0].startswith("http://127.0.0.1")


def test_wait_for_task_output_returns_the_video(sdk: RunwayML) -> None:
    task = sdk.image_to_video.create(
        model="veo3.1", prompt_image=FRAME, ratio="1080:1920", duration=4
    ).wait_for_task_output(timeout=60)
    assert is_variant(task, "SUCCEEDED")
    assert task.cost.credits == 160
    assert httpx.get(task.output[0]).content[4:8] == b"ftyp"


def test_a_failed_task_raises_with_its_code_and_costs_nothing(sdk: RunwayML) -> None:
    created = sdk.image_to_video.create(
        model="gen4.5",
        prompt_image=FRAME,
        prompt_text="a storm [sim:moderation]",
        ratio="1280:720",
        duration=5,
    )
    with pytest.raises(TaskFailedError) as failed:
        created.wait_for_task_output(timeout=60)
    details = failed.value.task_details
    assert details.failure_code == "SAFETY.INPUT.TEXT"
    assert details.failure and details.cost.credits == 0


def test_a_throttled_task_parses_as_throttled(sdk: RunwayML) -> None:
    created = sdk.image_to_video.create(
        model="gen4_turbo", prompt_image=FRAME, prompt_text="busy [sim:throttle]", ratio="960:960"
    )
    assert any(is_variant(t, "THROTTLED") for t in watch(sdk, created.id))


def test_a_left_out_duration_takes_the_model_s_default(sdk: RunwayML) -> None:
    gen4 = sdk.image_to_video.create(model="gen4_turbo", prompt_image=FRAME, ratio="1280:720")
    assert gen4.estimated_cost.credits == 5 * 10
    kling = sdk.image_to_video.create(
        model="kling2.5_turbo_pro", prompt_image=FRAME, prompt_text="x"
    )  # the SDK documents "Defaults to 5"
    assert kling.estimated_cost.credits == 7 * 5
    veo = sdk.text_to_video.create(
        model="veo3.1_fast", prompt_text="dunes at noon", ratio="1280:720"
    )  # the SDK allows leaving it out and names no default: 8 s, the longest it offers
    assert veo.estimated_cost.credits == 15 * 8


def test_delete_cancels_then_removes(sdk: RunwayML) -> None:
    created = sdk.image_to_video.create(
        model="gen4_turbo", prompt_image=FRAME, prompt_text="[sim:slow]", ratio="1280:720"
    )
    sdk.tasks.delete(created.id)
    cancelled = sdk.tasks.retrieve(created.id)
    assert is_variant(cancelled, "CANCELLED") and cancelled.cost.credits == 0
    sdk.tasks.delete(created.id)
    with pytest.raises(runwayml.NotFoundError):
        sdk.tasks.retrieve(created.id)


def test_the_balance_is_an_integer_and_refunds_failures(sdk: RunwayML, live_simulator: str) -> None:
    before = sdk.organization.retrieve().credit_balance
    body = {"model": "gen4_turbo", "promptImage": FRAME, "ratio": "1280:720", "duration": 5.0}
    headers = {"Authorization": "Bearer key_sdk_test", "X-Runway-Version": "2024-11-06"}
    assert httpx.post(f"{live_simulator}/v1/image_to_video", json=body, headers=headers).is_success
    raw = httpx.get(f"{live_simulator}/v1/organization", headers=headers).json()
    assert isinstance(raw["creditBalance"], int) and raw["creditBalance"] == before - 25
    failing = sdk.image_to_video.create(
        model="gen4_turbo", prompt_image=FRAME, prompt_text="[sim:internal]", ratio="1280:720"
    )
    with pytest.raises(TaskFailedError):
        failing.wait_for_task_output(timeout=60)
    assert sdk.organization.retrieve().credit_balance == before - 25


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 400),
        ({"X-Runway-Version": "2020-01-01"}, 400),
        ({"X-Runway-Version": "2024-11-06"}, 200),
    ],
)
def test_the_official_paths_require_a_known_version(
    live_simulator: str, headers: dict, status: int
) -> None:
    auth = {"Authorization": "Bearer key_sdk_test", **headers}
    body = {"model": "gen4_turbo", "promptImage": FRAME, "ratio": "1280:720"}
    response = httpx.post(f"{live_simulator}/v1/image_to_video", json=body, headers=auth)
    assert response.status_code == status
    if status == 400:
        assert "X-Runway-Version" in response.json()["error"]
    relay = httpx.post(f"{live_simulator}/runwayml/v1/image_to_video", json=body, headers=auth)
    assert relay.status_code == 200, "relays do not need the version"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/text_to_nothing", 404),
        ("GET", "/nowhere", 404),
        ("PUT", "/runwayml/v1/tasks/x", 405),
        ("GET", "/runwayml/v1/image_to_video", 405),
    ],
)
def test_unknown_routes_answer_json(
    live_simulator: str, method: str, path: str, status: int
) -> None:
    headers = {"Authorization": "Bearer k", "X-Runway-Version": "2024-11-06"}
    response = httpx.request(method, f"{live_simulator}{path}", headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert isinstance(response.json()["error"], str)


def test_browsers_may_call_the_api_but_not_the_switches(live_simulator: str) -> None:
    preflight = {
        "Origin": "https://chat.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, x-runway-version",
    }
    for path in ("/runwayml/v1/image_to_video", "/v1/image_to_video", "/v1/uploads"):
        api = httpx.options(f"{live_simulator}{path}", headers=preflight)
        assert api.status_code == 200, path
        assert api.headers["access-control-allow-origin"] == "*"
        assert "x-runway-version" in api.headers["access-control-allow-headers"].lower()
    read = httpx.get(
        f"{live_simulator}/v1/tasks/00000000-0000-0000-0000-000000000000",
        headers={
            "Origin": "https://chat.example",
            "Authorization": "Bearer k",
            "X-Runway-Version": "2024-11-06",
        },
    )
    assert read.status_code == 404 and read.headers["access-control-allow-origin"] == "*"
    switches = httpx.options(f"{live_simulator}/_sim/faults", headers=preflight)
    assert "access-control-allow-origin" not in switches.headers
