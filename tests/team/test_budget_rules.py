"""A member's budget against what a body and a relay say (issue 22, items 2 and 3).

One rule reads a duration (app/catalog/credits.py: whole seconds, as Runway reads JSON) for
validation,
the estimate and the budget; one rule reads credits for everything a relay reports. The relay is
the scripted stub of tests/relay_stub.py on loopback, as the console's own upstream (the
operator's key and address), so a member's creates and reads reach it.
"""

import asyncio
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.credits import estimate_credits
from tests.conftest import TEAM_SECRET
from tests.helpers import POLL_DUE_S
from tests.member_relay import Console, i2v, member_console
from tests.relay_stub import Answer, RelayStub, Seen, relay, relay_stub

__all__ = ["relay"]


def raw_json(value: object) -> Answer:
    """An answer whose body is JSON as Python writes it: NaN and Infinity included."""
    return Answer(body=json.dumps(value).encode())


async def test_a_float_duration_is_counted_as_the_seconds_it_runs(
    relay: RelayStub, tmp_path: Path
) -> None:
    """`5.0` is the JSON integer 5 (Runway and the simulator run 5 s): counted as 5 s, so a
    50-credit budget takes two 25-credit creates, whatever the relay's create answer says."""
    async with member_console(relay, tmp_path / "data") as console:
        headers = await console.member("fay", 50)
        made = [
            await console.http.post("/v1/image_to_video", json=i2v(5.0), headers=headers)
            for _ in range(4)
        ]
        assert [answer.status_code for answer in made] == [200, 200, 429, 429]
        assert await console.spent("fay") == 50
        sent = [json.loads(seen.body) for seen in relay.seen if seen.method == "POST"]
        assert [body["duration"] for body in sent] == [5, 5]
        assert all(type(body["duration"]) is int for body in sent)


@pytest.mark.parametrize("duration", [5.5, "5", True, None, [5], {"s": 5}, 1e400, -5.0, 1e300])
async def test_a_duration_that_is_no_whole_number_is_refused_naming_it(
    relay: RelayStub, tmp_path: Path, duration: object
) -> None:
    async with member_console(relay, tmp_path / "data") as console:
        headers = await console.member("gil", 50)
        text = json.dumps(i2v(duration))  # 1e400 goes out as Infinity
        answer = await console.http.post(
            "/v1/image_to_video",
            content=text,
            headers={**headers, "Content-Type": "application/json"},
        )
        if duration is None:  # left out: the upstream's default (10 s here), counted as such
            assert answer.status_code == 200, answer.text
            assert await console.spent("gil") == 50
            return
        assert answer.status_code == 400, answer.text
        assert "duration" in answer.text
        assert await console.spent("gil") == 0
        assert not [seen for seen in relay.seen if seen.method == "POST"]


async def test_an_upstream_without_estimates_cannot_lift_the_budget(
    relay: RelayStub, tmp_path: Path
) -> None:
    """The hold is the console's own estimate: an upstream that reports none, or a lower one,
    or 0, leaves it standing, so the third create of a 50-credit day is refused."""
    answers = iter([{}, {"estimatedCost": {"credits": 0}}, {"estimatedCost": {"credits": 3}}])

    def create(seen: Seen) -> Answer:
        return Answer(body={"id": f"t-{len(relay.seen)}", **next(answers, {})})

    relay.create = create
    async with member_console(relay, tmp_path / "data") as console:
        headers = await console.member("hal", 50)
        codes = []
        for duration in (5, 5.0, 5):
            made = await console.http.post(
                "/v1/image_to_video", json=i2v(duration), headers=headers
            )
            codes.append(made.status_code)
        assert codes == [200, 200, 429]
        assert await console.spent("hal") == 50


async def settle_with(console: Console, relay: RelayStub, headers: dict, final: Any) -> int:
    """Create one task, let the relay answer `final` to its reads; the GET's status code."""
    made = await console.http.post("/v1/image_to_video", json=i2v(5), headers=headers)
    assert made.status_code == 200, made.text
    relay.read = lambda seen: raw_json(final)
    await asyncio.sleep(POLL_DUE_S)
    read = await console.http.get(f"/v1/tasks/{made.json()['id']}", headers=headers)
    return read.status_code


@pytest.mark.parametrize(
    "cost",
    [{"credits": -40}, {"credits": math.nan}, {"credits": math.inf}, {"credits": "90"}, 7, None],
)
async def test_a_relays_final_cost_never_moves_a_members_day_backwards_or_breaks_a_read(
    relay: RelayStub, tmp_path: Path, cost: object
) -> None:
    async with member_console(relay, tmp_path / "data") as console:
        headers = await console.member("ida", 100)
        final = {"status": "SUCCEEDED", "output": [], "cost": cost}
        assert await settle_with(console, relay, headers, final) == 200
        assert await console.spent("ida") == 25


async def test_a_refunded_failure_gives_the_estimate_back(relay: RelayStub, tmp_path: Path) -> None:
    """Runway refunds a failed task (`cost: {credits: 0}`); only a failure or a cancel may."""
    async with member_console(relay, tmp_path / "data") as console:
        headers = await console.member("jan", 100)
        final = {"status": "FAILED", "failure": "no", "cost": {"credits": 0}}
        assert await settle_with(console, relay, headers, final) == 200
        assert await console.spent("jan") == 0


async def test_credits_past_an_int4_are_ignored_on_every_engine(
    relay: RelayStub, tmp_path: Path, database_url: str
) -> None:
    """A member's charges are 32-bit columns: a relay's estimate or cost of 2**31 or more is no
    credit count it can mean, so it is ignored as any nonsense is, never a 500 on PostgreSQL."""
    relay.create = lambda seen: raw_json({"id": "huge-1", "estimatedCost": {"credits": 2**31}})
    async with member_console(
        relay, tmp_path / "data", CONSOLE_DATABASE_URL=database_url, CONSOLE_SECRET_KEY=TEAM_SECRET
    ) as console:
        headers = await console.member("kim", 100)
        final = {"status": "SUCCEEDED", "output": [], "cost": {"credits": 2**40}}
        assert await settle_with(console, relay, headers, final) == 200
        assert await console.spent("kim") == 25


# --- the property: any duration, any cost a relay may send ------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from([2, 5, 10, 5.0, 10.0, 2.5, "5", "auto", -1, 0, 2**31, 2**31 - 0.4, 2**53])
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=5,
)
HUGE = st.integers(min_value=2**31 - 2, max_value=2**70)  # past a 32-bit column
CREDITS = JSON_VALUES | st.builds(lambda value: {"credits": value}, JSON_VALUES | HUGE)
STATUSES = st.sampled_from(["RUNNING", "SUCCEEDED", "succeeded", "WEIRD"]) | JSON_VALUES


@dataclass
class Run:
    duration: object
    estimated: object
    reads: list[tuple[object, object]]  # (status, cost) per read


RUNS = st.builds(
    Run,
    duration=st.sampled_from([5, 10, 5.0, None]) | JSON_VALUES,  # half run, half refused
    estimated=CREDITS,
    reads=st.lists(st.tuples(STATUSES, CREDITS), min_size=1, max_size=3),
)


@pytest.fixture(scope="module")
def shared_relay() -> Iterator[RelayStub]:
    with relay_stub() as stub:
        yield stub


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """One loop and one console for every example: starting a console per example is slow."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_console(
    request: pytest.FixtureRequest,
    shared_relay: RelayStub,
    loop: asyncio.AbstractEventLoop,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Console]:
    """One console per engine: PostgreSQL's 32-bit columns refuse what SQLite keeps."""
    data = tmp_path_factory.mktemp("rules") / "data"
    url = f"sqlite:///{data.parent / 'console.db'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").new_database()
    extra = {"CONSOLE_DATABASE_URL": url, "CONSOLE_SECRET_KEY": TEAM_SECRET}
    manager = member_console(shared_relay, data, **extra)
    console = loop.run_until_complete(manager.__aenter__())
    yield console
    loop.run_until_complete(manager.__aexit__(None, None, None))


names = iter(range(10**6))


async def one_run(console: Console, relay: RelayStub, run: Run) -> None:
    name = f"m{next(names)}"
    headers = await console.member(name, None)
    body = i2v(run.duration)
    estimate = estimate_credits(body, "image_to_video")
    relay.create = lambda seen: raw_json({"id": f"p-{name}", "estimatedCost": run.estimated})
    text = json.dumps(body)
    made = await console.http.post(
        "/v1/image_to_video", content=text, headers={**headers, "Content-Type": "application/json"}
    )
    assert made.status_code in (200, 400), made.text
    spent = await console.spent(name)
    if made.status_code == 400:
        assert spent == 0 and "duration" in made.text
        return
    assert type(spent) is int and spent >= estimate > 0
    scripted = list(run.reads)

    def read(seen: Seen) -> Answer:
        status, cost = scripted.pop(0) if scripted else run.reads[-1]
        return raw_json({"id": seen.task_id, "status": status, "cost": cost, "output": []})

    relay.read = read
    for _read in run.reads:
        await asyncio.sleep(POLL_DUE_S)
        task_id = made.json()["id"]
        read = await console.http.get(f"/v1/tasks/{task_id}", headers=headers)
        assert read.status_code == 200, read.text
        now = await console.spent(name)
        assert type(now) is int and now >= spent >= estimate
        spent = now


EXAMPLES = {"sqlite": 40, "postgresql": 15}  # a PostgreSQL example takes more round trips


def test_any_duration_and_any_cost_count_at_least_the_estimate_and_never_go_back(
    request: pytest.FixtureRequest,
    shared_console: Console,
    shared_relay: RelayStub,
    loop: asyncio.AbstractEventLoop,
) -> None:
    engine = request.node.callspec.params["shared_console"]

    @settings(
        max_examples=EXAMPLES[engine], deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(run=RUNS)
    def holds(run: Run) -> None:
        loop.run_until_complete(one_run(shared_console, shared_relay, run))

    holds()
