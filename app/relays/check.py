"""The relay check: probe an address and key cheaply and say where it differs from Runway.

Only requests that cost nothing are sent unless the person confirms a real tiny task: a read
with a wrong key, a read of a task that does not exist, a create with an invalid body. Each
answer is compared with what the official API documents (docs/runway-api.md).
"""

import asyncio
import base64
import io
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from app.catalog.credits import answer_credits, read_credits
from app.catalog.endpoints import DEFAULT_ENDPOINT, ENDPOINTS, FORM_MODES
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.runway.client import RunwayClient, UpstreamError
from app.runway.endpoints import Upstream
from app.runway.exchange import Exchange, Probe
from app.runway.status import FINAL_STATUSES, STATUSES

WRONG_KEY = "key_invalid-on-purpose-relay-check"  # the simulator refuses "invalid" keys


@dataclass
class CheckItem:
    """One line of the report: `verdict` is ok, differs (works, but not like Runway) or failed."""

    name: str
    verdict: str
    expected: str
    got: str
    detail: str = ""


@dataclass
class Report:
    address: str
    items: list[CheckItem] = field(default_factory=list)
    task_id: str | None = None

    def add(
        self, name: str, ok: bool, expected: str, got: str, detail: str = "", failed: bool = False
    ) -> None:
        verdict = "ok" if ok else ("failed" if failed else "differs")
        self.items.append(CheckItem(name, verdict, expected, got, detail))

    @property
    def summary(self) -> dict[str, int]:
        counts = {"ok": 0, "differs": 0, "failed": 0}
        for item in self.items:
            counts[item.verdict] += 1
        return counts


def error_shape(probe: Probe) -> tuple[bool, str]:
    """Runway answers errors as `{"error": "<text>"}`; relays often do otherwise."""
    data = probe.json()
    content_type = probe.headers.get("content-type", "").split(";")[0]
    if data is None:
        return False, f"not JSON ({content_type or 'no content type'}): {probe.text[:80]!r}"
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return True, '{"error": "…"}'
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return False, '{"error": {"message": …}} (an OpenAI-style object)'
    return False, f"JSON without an error text: {probe.text[:80]!r}"


async def probe_address(client: RunwayClient, upstream: Upstream, key: str | None) -> Report:
    """The free probes."""
    report = Report(upstream.base_url)
    unknown = upstream.task_url(str(uuid.uuid4()))
    wrong = await client.probe(upstream, "GET", unknown, WRONG_KEY)
    report.add(
        N_("A wrong key is refused"),
        wrong.status == 401,
        "401",
        str(wrong.status),
        failed=wrong.status is not None and wrong.status < 400,
    )
    ok, shape = error_shape(wrong)
    report.add(N_("Error body shape"), ok, '{"error": "…"}', shape)
    missing = await client.probe(upstream, "GET", unknown, key)
    if missing.status == 401:
        report.add(
            N_("Your key is accepted"),
            False,
            "not 401",
            "401",
            N_("the key was refused"),
            failed=True,
        )
    else:
        report.add(N_("An unknown task is 404"), missing.status == 404, "404", str(missing.status))
    invalid = await client.probe(
        upstream, "POST", upstream.create_url, key, {"model": "gen3a_turbo"}
    )
    accepted = invalid.status is not None and invalid.status < 300
    report.add(
        N_("An invalid body is refused"),
        invalid.status == 400,
        "400 naming the field",
        f"{invalid.status}: {invalid.text[:120]}",
        N_("it accepted a body with no image: a task may have started") if accepted else "",
        failed=accepted,
    )
    await probe_endpoints(client, upstream, key, report)
    json_answers = [
        p
        for p in (wrong, missing, invalid)
        if p.headers.get("content-type", "").startswith("application/json")
    ]
    report.add(
        N_("Errors are JSON"),
        len(json_answers) == 3,
        "application/json on every error",
        f"{len(json_answers)} of 3",
    )
    return report


async def probe_endpoints(
    client: RunwayClient, upstream: Upstream, key: str | None, report: Report
) -> None:
    """Which of the other endpoints the form makes the address offers, for free: each is sent
    its default model's name alone, a body Runway refuses with 400 naming the missing field.
    A 404 says the address does not sell it; a 2xx that it may have started a task."""
    paths = [path for path in FORM_MODES if path != DEFAULT_ENDPOINT]
    probes = await asyncio.gather(
        *(
            client.probe(
                upstream,
                "POST",
                upstream.endpoint_url(path),
                key,
                {"model": ENDPOINTS[path].default_model},
            )
            for path in paths
        )
    )
    answers = [(path, probe.status) for path, probe in zip(paths, probes, strict=True)]
    started = [path for path, status in answers if status is not None and status < 300]
    report.add(
        N_("The other endpoints refuse an invalid body"),
        all(status == 400 for _path, status in answers),
        "400 " + _("at each"),
        " · ".join(f"{path} {status}" for path, status in answers),
        N_("a body with no input was accepted: a task may have started") if started else "",
        failed=bool(started),
    )


def tiny_frame() -> str:
    image = Image.linear_gradient("L").resize((320, 192)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def url_lifetime_hours(url: str, now: float) -> float | None:
    """Hours until a signed URL expires, when its query says (exp, Expires, X-Amz-Expires)."""
    query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    for name in ("exp", "expires"):
        if query.get(name, "").isdigit():
            return (int(query[name]) - now) / 3600
    if query.get("x-amz-expires", "").isdigit():
        return int(query["x-amz-expires"]) / 3600
    return None


def check_task_answers(report: Report, answers: list[dict[str, Any]]) -> None:
    """Compare what the reads of a real task said with the official task object."""
    statuses = [str(a.get("status")) for a in answers]
    odd = sorted({s for s in statuses if s not in STATUSES})
    report.add(
        N_("Status values"),
        not odd,
        "PENDING, THROTTLED, RUNNING, SUCCEEDED, FAILED, CANCELLED",
        ", ".join(dict.fromkeys(statuses)),
        f"not Runway's: {', '.join(odd)}" if odd else "",
    )
    progress = [a["progress"] for a in answers if isinstance(a.get("progress"), int | float)]
    report.add(
        N_("Progress is a fraction 0..1"),
        all(0 <= p <= 1 for p in progress),
        "0..1",
        ", ".join(f"{p:g}" for p in progress[:6]) or _("never reported"),
    )
    final = answers[-1] if answers else {}
    check_costs(report, answers, final)
    output = final.get("output")
    if str(final.get("status")).upper() == "SUCCEEDED":
        report.add(
            N_("Output is a list of URLs"),
            isinstance(output, list),
            '["https://…mp4"]',
            type(output).__name__,
        )
        url = output[0] if isinstance(output, list) and output else output
        hours = url_lifetime_hours(str(url), time.time()) if url else None
        report.add(
            N_("Output URL lifetime"),
            hours is None or hours >= 12,
            "24–48 h",
            _("not stated in the URL")
            if hours is None
            else _("about {hours} h", hours=f"{hours:.1f}"),
            N_("download the video soon") if hours is not None and hours < 12 else "",
        )


def check_costs(report: Report, answers: list[dict[str, Any]], final: dict[str, Any]) -> None:
    """`estimatedCost` on unfinished reads and `cost` on the final one, as the SDK requires."""
    running = [a for a in answers if str(a.get("status")).upper() not in FINAL_STATUSES]
    estimated = [read_credits(a.get("estimatedCost")) for a in running]
    if running:
        report.add(
            N_("Unfinished tasks carry estimatedCost"),
            None not in estimated,
            '{"estimatedCost": {"credits": n}}',
            _("{n} of {total} reads", n=len(estimated) - estimated.count(None), total=len(running)),
        )
    if str(final.get("status")).upper() in FINAL_STATUSES:
        cost = read_credits(final.get("cost"))
        report.add(
            N_("The final task carries cost"),
            cost is not None,
            '{"cost": {"credits": n}}',
            str(cost) if cost is not None else _("missing"),
        )


async def run_tiny_task(
    client: RunwayClient,
    upstream: Upstream,
    key: str | None,
    report: Report,
    poll_s: float,
    limit_s: float = 180,
    start: Callable[[dict[str, Any]], Awaitable[tuple[str, Exchange]]] | None = None,
) -> None:
    """A real 5 s task (the person confirmed its cost); the answers are checked as they come.

    `start` sends the create instead of the client (app/relays/callback.py: with a hook)."""
    body = {
        "model": "gen3a_turbo",
        "promptImage": tiny_frame(),
        "promptText": "relay check",
        "ratio": "1280:768",
        "duration": 5,
    }
    try:
        task_id, exchange = await (start or partial(client.create, upstream, key))(body)
    except UpstreamError as exc:
        report.add(N_("A real task starts"), False, '200 {"id": …}', exc.message, failed=True)
        return
    report.task_id = task_id
    report.add(N_("A real task starts"), True, '200 {"id": …}', f"{exchange.status}, id {task_id}")
    estimate = answer_credits(exchange.body, "estimatedCost")
    report.add(
        N_("The create answer carries estimatedCost"),
        estimate is not None,
        '{"id": …, "estimatedCost": {"credits": n}}',
        str(estimate) if estimate is not None else _("missing"),
    )
    answers: list[dict[str, Any]] = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        data, _read = await client.read(upstream, key, task_id)
        answers.append(data)
        if str(data.get("status")).upper() in FINAL_STATUSES:
            break
        await asyncio.sleep(poll_s)
    else:
        report.add(N_("The task finishes"), False, f"≤ {limit_s:g} s", _("still running"))
    check_task_answers(report, answers)
