"""The relay check's header probes: does the address take Runway's version header, and may a
browser call it (CORS)? Both cost nothing: reads of a task that does not exist and a preflight.

The official SDKs always send `X-Runway-Version`, so an upstream must at least accept it; the
official API also requires it (docs/runway-api.md, "Headers"). Browser-based relay clients
call a relay straight from the page, so its answers need CORS: a preflight that allows the
SDK's headers, and `Access-Control-Allow-Origin` on the answers themselves.
"""

import uuid

from app.core.i18n import N_
from app.relays.check import Report
from app.runway.client import RunwayClient
from app.runway.endpoints import RUNWAY_VERSION, Upstream, UpstreamKind

ORIGIN = "https://relay-check.example"  # a browser page on some other site
SDK_HEADERS = "authorization, content-type, x-runway-version"


async def check_version_header(
    client: RunwayClient, upstream: Upstream, key: str | None, report: Report
) -> None:
    """Read an unknown task with and without the header: the answer must not change for the
    worse with it; the official API also refuses a read without it (400)."""
    url = upstream.task_url(str(uuid.uuid4()))
    sent = await client.probe(
        upstream, "GET", url, key, header_changes={"X-Runway-Version": RUNWAY_VERSION}
    )
    bare = await client.probe(upstream, "GET", url, key, header_changes={"X-Runway-Version": None})
    accepted = sent.status == bare.status or sent.status in (401, 404)
    required = bare.status == 400 and sent.status != 400
    if not accepted:
        got = f"{sent.status} with it, {bare.status} without: {sent.text[:80]}"
    else:
        got = "accepted, required" if required else "accepted, not required"
    official = upstream.kind is UpstreamKind.OFFICIAL
    report.add(
        N_("The version header"),
        accepted and (required or not official),
        "required (400 without it)" if official else "accepted (the SDKs always send it)",
        got,
        "" if accepted else N_("the official SDKs send it on every request"),
    )


def _lists(value: str, wanted: str) -> bool:
    allowed = {part.strip().lower() for part in value.split(",")}
    return "*" in allowed or all(h.strip() in allowed for h in wanted.split(","))


async def check_cors(
    client: RunwayClient, upstream: Upstream, key: str | None, report: Report
) -> None:
    """A browser's preflight for a create, then an answer's own CORS header."""
    preflight = await client.probe(
        upstream,
        "OPTIONS",
        upstream.create_url,
        None,
        header_changes={
            "Authorization": None,  # a preflight carries no credentials
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": SDK_HEADERS,
        },
    )
    origin = preflight.headers.get("access-control-allow-origin", "")
    allowed = preflight.headers.get("access-control-allow-headers", "")
    passes = (
        preflight.status is not None
        and preflight.status < 300
        and origin in ("*", ORIGIN)
        and _lists(allowed, SDK_HEADERS)
    )
    got = f"{preflight.status}, allow-origin {origin or '—'}, allow-headers {allowed or '—'}"
    report.add(N_("CORS preflight"), passes, f"2xx allowing {SDK_HEADERS}", got)
    answer = await client.probe(
        upstream,
        "GET",
        upstream.task_url(str(uuid.uuid4())),
        key,
        header_changes={"Origin": ORIGIN},
    )
    header = answer.headers.get("access-control-allow-origin", "")
    report.add(
        N_("Answers allow browsers (Access-Control-Allow-Origin)"),
        header in ("*", ORIGIN),
        "* or the page's origin",
        header or "—",
    )


async def probe_headers(
    client: RunwayClient, upstream: Upstream, key: str | None, report: Report
) -> None:
    await check_version_header(client, upstream, key, report)
    await check_cors(client, upstream, key, report)
