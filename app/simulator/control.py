"""The control endpoints scripts and tests use: fault switches, quirks and request counts."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.json_values import parse_json
from app.simulator.answers import error
from app.simulator.faults import FaultRule
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
