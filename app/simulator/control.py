"""The control endpoints scripts and tests use: fault switches, quirks, request counts, and
a key's account (its balance and tier, to rehearse "out of credits" and THROTTLED)."""

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.core.json_values import parse_json
from app.simulator.answers import authorised, caller_owner, error, owner_of
from app.simulator.faults import FaultRule
from app.simulator.organization import organization_body
from app.simulator.state import DEFAULT_OUTPUT_TTL_S, QUIRKS, sim_state


async def control_faults(request: Request) -> Response:
    """GET lists the switches, POST adds rules (`{"rules": [...]}`) and settings, DELETE resets."""
    state = sim_state(request)
    if request.method == "DELETE":
        state.faults.clear()
        state.quirks.clear()
        state.output_ttl_s = DEFAULT_OUTPUT_TTL_S
    elif request.method == "POST":
        try:
            payload = parse_json(await request.body())
            for rule in payload.get("rules", []):
                state.faults.add(FaultRule(**rule))
            if "output_ttl_s" in payload:
                state.output_ttl_s = float(payload["output_ttl_s"])
            unknown = set(payload.get("quirks", [])) - set(QUIRKS)
            if unknown:
                raise ValueError(f"unknown quirks {sorted(unknown)}; known: {QUIRKS}")
            state.quirks.update(payload.get("quirks", []))
        except (ValueError, TypeError, AttributeError) as exc:
            return error(request, 400, f"bad fault switch: {exc}")
    return JSONResponse(
        {
            "rules": state.faults.describe(),
            "output_ttl_s": state.output_ttl_s,
            "quirks": sorted(state.quirks),
        }
    )


async def read_stats(request: Request) -> Response:
    """Request counts per route, for benchmarks that check how often the console asks."""
    state = sim_state(request)
    if request.method == "DELETE":
        state.counts.clear()
    return JSONResponse(state.counts)


ACCOUNT_FIELDS = {  # name: (its least value, whether null ("no limit") is allowed)
    "creditBalance": (0, False),
    "maxConcurrentGenerations": (1, True),
    "maxDailyGenerations": (0, True),
}


def account_values(payload: object) -> dict[str, Any]:
    """The switches asked for, checked: whole numbers from their least, or null for no limit."""
    if not isinstance(payload, dict):
        raise ValueError("expected a JSON object")
    unknown = set(payload) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}; known: {sorted(ACCOUNT_FIELDS)}")
    for name, value in payload.items():
        least, nullable = ACCOUNT_FIELDS[name]
        if value is None and nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"{name} must be a whole number from {least}")
    return payload


async def control_account(request: Request) -> Response:
    """The account of the key in `X-Sim-Account`, else in `Authorization` (as the API names
    it; a console with a password takes its own there): GET shows it, POST sets `creditBalance`,
    `maxConcurrentGenerations`, `maxDailyGenerations`, DELETE makes it fresh."""
    state = sim_state(request)
    named = request.headers.get("x-sim-account", "").strip()
    if not named and not authorised(request):
        return error(request, 401, "Name the account: 'X-Sim-Account: <key>' or its Bearer key")
    books = state.books
    owner = owner_of(state.secret, named) if named else caller_owner(request)
    if request.method == "POST":
        try:
            values = account_values(parse_json(await request.body()))
        except ValueError as exc:
            return error(request, 400, f"bad account switch: {exc}")
        await asyncio.to_thread(books.change, owner, values)
    elif request.method == "DELETE":
        await asyncio.to_thread(books.reset, owner)
    return JSONResponse(await asyncio.to_thread(organization_body, books, owner))
