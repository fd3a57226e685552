"""The standalone simulator keeps Runway's books per key, driven by the official SDK in strict
mode: a create beyond the balance is refused and charges nothing, a tier's concurrency makes
the extra task wait THROTTLED, its daily cap answers 429, and each key has its own account.
Balances and tiers are set through the simulator's switch (`/_sim/account`)."""

import datetime
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import runwayml
from runwayml import RunwayML
from runwayml.lib import polling

from tests.helpers import POLL_LIMIT_S
from tests.sdk_reads import is_variant

FRAME = "https://example.com/first.jpg"
NO_CREDITS = "You do not have enough credits to run this task."


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(polling, "POLL_TIME", 0.3)  # the SDK waits 4.5-7.5 s between polls
    monkeypatch.setattr(polling, "POLL_JITTER", 0.1)


def sdk_for(base: str, key: str) -> RunwayML:
    return RunwayML(base_url=base, api_key=key, max_retries=0, _strict_response_validation=True)


def switch(base: str, key: str, **values: object) -> dict:
    """Set the key's account through the control endpoint; its organization as answered."""
    answer = httpx.post(
        f"{base}/_sim/account", json=values, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
def sdk(live_simulator: str) -> Iterator[RunwayML]:
    with sdk_for(live_simulator, "key_books_a") as client:
        yield client


def gen4(sdk: RunwayML, prompt: str = "a quiet harbour", duration: int = 5):
    return sdk.image_to_video.create(
        model="gen4_turbo",
        prompt_image=FRAME,
        prompt_text=prompt,
        ratio="1280:720",
        duration=duration,
    )


def test_a_create_beyond_the_balance_is_refused_and_charges_nothing(
    sdk: RunwayML, live_simulator: str
) -> None:
    switch(live_simulator, "key_books_a", creditBalance=40)
    with pytest.raises(runwayml.BadRequestError) as refused:
        gen4(sdk, duration=10)  # 50 credits
    assert refused.value.body == {"error": NO_CREDITS}
    assert sdk.organization.retrieve().credit_balance == 40
    assert gen4(sdk, duration=5).estimated_cost.credits == 25  # 25 of the 40 fit
    assert sdk.organization.retrieve().credit_balance == 15
    with pytest.raises(runwayml.BadRequestError):
        gen4(sdk, duration=5)
    assert sdk.organization.retrieve().credit_balance == 15, "never below zero"


def test_the_no_credits_marker_refuses_as_an_empty_account_does(sdk: RunwayML) -> None:
    before = sdk.organization.retrieve().credit_balance
    with pytest.raises(runwayml.BadRequestError) as refused:
        gen4(sdk, prompt="rehearse [sim:no-credits]")
    assert refused.value.body == {"error": NO_CREDITS}
    assert sdk.organization.retrieve().credit_balance == before


def test_two_keys_have_their_own_balances(
    sdk: RunwayML, live_simulator: str, tmp_path: Path
) -> None:
    with sdk_for(live_simulator, "key_books_b") as other:
        fresh = other.organization.retrieve().credit_balance
        assert sdk.organization.retrieve().credit_balance == fresh
        gen4(sdk).wait_for_task_output(timeout=60)
        assert sdk.organization.retrieve().credit_balance == fresh - 25
        assert other.organization.retrieve().credit_balance == fresh
        switch(live_simulator, "key_books_b", creditBalance=0)
        with pytest.raises(runwayml.BadRequestError):
            gen4(other)
        assert sdk.organization.retrieve().credit_balance == fresh - 25
        assert other.organization.retrieve().credit_balance == 0
    accounts = list((tmp_path / "simdata" / "simulator" / "accounts").glob("*.json"))
    assert len(accounts) == 2, "one account per key"
    assert not any("key_books" in a.name + a.read_text() for a in accounts), "named by HMAC"


def test_a_third_task_on_a_tier_of_two_waits_throttled_then_succeeds(
    sdk: RunwayML, live_simulator: str
) -> None:
    org = switch(live_simulator, "key_books_a", maxConcurrentGenerations=2)
    assert org["tier"]["models"]["gen4_turbo"]["maxConcurrentGenerations"] == 2
    first, second = gen4(sdk, "one [sim:slow]"), gen4(sdk, "two [sim:slow]")
    third = gen4(sdk, "three")
    seen = sdk.tasks.retrieve(third.id)
    assert is_variant(seen, "THROTTLED"), seen
    assert {sdk.tasks.retrieve(t.id).status for t in (first, second)} <= {"PENDING", "RUNNING"}
    give_up = time.monotonic() + POLL_LIMIT_S  # a bound on a wait that should end
    while seen.status == "THROTTLED":
        assert time.monotonic() < give_up, "the third task never left THROTTLED"
        time.sleep(0.05)
        seen = sdk.tasks.retrieve(third.id)
    # It started because a slot freed: one of the two ahead has reached its end (a finished
    # task reads RUNNING at 0.99 until its video is rendered).
    ahead = [sdk.tasks.retrieve(task.id) for task in (first, second)]
    assert any(t.status == "SUCCEEDED" or t.progress >= 0.99 for t in ahead), ahead
    done = third.wait_for_task_output(timeout=60)
    assert is_variant(done, "SUCCEEDED") and done.cost.credits == 25


def test_cancelling_a_running_task_lets_the_waiting_one_start(
    sdk: RunwayML, live_simulator: str
) -> None:
    switch(live_simulator, "key_books_a", maxConcurrentGenerations=1)
    running = gen4(sdk, "long [sim:slow]")
    waiting = gen4(sdk, "next [sim:slow]")
    assert sdk.tasks.retrieve(waiting.id).status == "THROTTLED"
    sdk.tasks.delete(running.id)
    assert sdk.tasks.retrieve(waiting.id).status in ("PENDING", "RUNNING")


def test_the_201st_create_of_a_model_in_a_day_is_a_429(sdk: RunwayML, live_simulator: str) -> None:
    switch(live_simulator, "key_books_a", maxDailyGenerations=200)

    def image() -> object:
        return sdk.text_to_image.create(
            model="gen4_image_turbo",
            prompt_text="a lamp",
            ratio="1024:1024",
            reference_images=[{"uri": FRAME}],
        )

    for _ in range(200):
        image()
    with pytest.raises(runwayml.RateLimitError) as refused:
        image()
    message = refused.value.body["error"]
    assert "200" in message and "gen4_image_turbo" in message and "limit" in message
    assert int(refused.value.response.headers["Retry-After"]) > 0
    org = sdk.organization.retrieve()
    assert org.usage.models["gen4_image_turbo"].daily_generations == 200
    assert org.tier.models["gen4_image_turbo"].max_daily_generations == 200
    gen4(sdk)  # another model's cap is its own


def test_usage_answers_per_model_and_day(sdk: RunwayML, live_simulator: str) -> None:
    done = gen4(sdk).wait_for_task_output(timeout=60)
    failing = gen4(sdk, "[sim:internal]")
    with pytest.raises(runwayml.TaskFailedError):
        failing.wait_for_task_output(timeout=60)
    today = done.created_at.astimezone(datetime.UTC).date()  # its day, even across 00:00 UTC
    usage = sdk.organization.retrieve_usage(
        start_date=today - datetime.timedelta(days=1), before_date=today + datetime.timedelta(1)
    )
    assert usage.models == ["gen4_turbo"]
    [day] = usage.results
    assert day.date == today
    assert [(c.model, c.amount) for c in day.used_credits] == [("gen4_turbo", 25)]
    headers = {"Authorization": "Bearer key_books_a", "X-Runway-Version": "2024-11-06"}
    bad = httpx.post(
        f"{live_simulator}/v1/organization/usage", json={"startDate": "soon"}, headers=headers
    )
    assert bad.status_code == 400 and "startDate" in bad.json()["error"]


def test_a_reset_gives_a_fresh_account(sdk: RunwayML, live_simulator: str) -> None:
    fresh = sdk.organization.retrieve().credit_balance
    switch(live_simulator, "key_books_a", creditBalance=3, maxDailyGenerations=0)
    answer = httpx.delete(
        f"{live_simulator}/_sim/account", headers={"Authorization": "Bearer key_books_a"}
    )
    assert answer.json()["creditBalance"] == fresh
    assert gen4(sdk).estimated_cost.credits == 25
    bad = httpx.post(
        f"{live_simulator}/_sim/account",
        json={"creditBalance": -5},
        headers={"Authorization": "Bearer key_books_a"},
    )
    assert bad.status_code == 400 and "creditBalance" in bad.json()["error"]
