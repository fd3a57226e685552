"""Generated hostile relays: whatever a relay answers, no 500 and no stuck task (issue 12).

Hypothesis draws a relay's create answer, a run of read answers and error bodies from every
JSON type (and a few things that are not JSON); the scripted relay of tests/relay_stub.py
serves them over loopback to a console in process. Each run checks that every call the page
and the API make answers without a 500, and that once the relay answers a plain final status
the task reaches it and can be deleted.
"""

import asyncio
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import POLL_DUE_S, create_body, poll_until
from tests.relay_stub import Answer, RelayStub, Seen, console_for_relays

KEY = {"X-Runway-Key": "hk-generated-relay-0001"}
HOSTILE_TEXT = st.sampled_from(
    ["", "\ud800", "a/b", "ü€-id", "line\r\nX: 1", "../..", "%2F", " ", "x" * 3000, "null"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | HOSTILE_TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
STATUSES = (
    st.sampled_from(
        ["PENDING", "THROTTLED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "running", "WEIRD"]
    )
    | JSON_VALUES
)
OUTPUTS = JSON_VALUES | st.lists(
    st.sampled_from(
        [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://127.0.0.1:9/x.mp4",
            "https://[::1]/x.mp4",
            "https://example.com/x.mp4",
            "data:video/mp4;base64,AA",
            "//evil.example/x.mp4",
        ]
    ),
    max_size=3,
)
ERROR_STATUSES = st.sampled_from([400, 401, 403, 404, 409, 429, 500, 502, 503])
RAW_BODIES = st.sampled_from([b"", b"<html>oops</html>", b"{", b"NaN", b"\xff\xfe", b"[]"])


@st.composite
def task_answers(draw: st.DrawFn) -> dict[str, Any]:
    answer = {
        "id": draw(JSON_VALUES | HOSTILE_TEXT),
        "status": draw(STATUSES),
        "progress": draw(JSON_VALUES),
        "output": draw(OUTPUTS),
        "failure": draw(JSON_VALUES),
        "failureCode": draw(JSON_VALUES),
    }
    keep = draw(st.sets(st.sampled_from(sorted(answer))))
    return {name: value for name, value in answer.items() if name in keep}


@st.composite
def answers(draw: st.DrawFn, *, body: st.SearchStrategy) -> Answer:
    if draw(st.booleans()):
        return Answer(200, draw(body))
    status = draw(ERROR_STATUSES)
    return Answer(status, draw(JSON_VALUES.map(lambda v: {"error": v}) | RAW_BODIES | JSON_VALUES))


CREATES = answers(body=task_answers() | st.fixed_dictionaries({"id": JSON_VALUES | HOSTILE_TEXT}))
READS = st.lists(answers(body=task_answers()), min_size=1, max_size=3)


def encoded(answer: Answer) -> Answer:
    """The answer's body as bytes (NaN and lone surrogates included, as a relay may send)."""
    if not isinstance(answer.body, bytes):
        answer.body = json.dumps(answer.body).encode()
    return answer


async def one_run(relay: RelayStub, data_dir: Path, create: Answer, reads: list[Answer]) -> None:
    scripted = [encoded(read) for read in reads]
    final = Answer(body={"status": "FAILED", "failure": "ends", "failureCode": "INTERNAL"})
    relay.create = lambda seen: encoded(create)

    def read(seen: Seen) -> Answer:
        return scripted.pop(0) if scripted else final

    relay.read = read
    async with console_for_relays(data_dir, CONSOLE_READ_TIMEOUT_S=5) as console:
        made = await console.post(
            "/api/tasks", json={**create_body(), "baseUrl": relay.base_url}, headers=KEY
        )
        assert made.status_code in (201, 502), made.text
        if made.status_code != 201:
            return
        task_id = made.json()["id"]
        for _answer in reads:
            await asyncio.sleep(POLL_DUE_S)
            for path in (f"/api/tasks/{task_id}", "/api/tasks", f"/tasks/{task_id}"):
                answer = await console.get(path, headers={**KEY, "HX-Request": "true"})
                assert answer.status_code == 200, (path, answer.text)

        async def status() -> dict:
            answer = await console.get(f"/api/tasks/{task_id}", headers=KEY)
            assert answer.status_code == 200, answer.text
            return answer.json()

        await poll_until(
            status,
            lambda task: task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"),
            what="final once the relay answers plainly",
            interval_s=POLL_DUE_S,
        )
        shared = await console.get(f"/api/tasks/{task_id}/share.html", headers=KEY)
        assert shared.status_code == 200
        assert (await console.delete(f"/api/tasks/{task_id}", headers=KEY)).status_code == 204


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(create=CREATES, reads=READS)
def test_no_relay_answer_makes_a_500_or_a_stuck_task(
    relay: RelayStub, tmp_path: Path, create: Answer, reads: list[Answer]
) -> None:
    asyncio.run(one_run(relay, tmp_path / "data", create, reads))
