"""`GET /v1/organization`: the credit balance and limits, as the official API reports them."""

import asyncio
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.catalog import MODELS
from app.simulator.answers import authorised, error
from app.simulator.state import sim_state

STARTING_CREDITS = 10_000


async def read_organization(request: Request) -> Response:
    state = sim_state(request)
    if not authorised(request):
        return error(request, 401, "Invalid API key")
    tasks = await asyncio.to_thread(state.store.usage)
    now = time.time()
    spent = sum(task.charged(now) for task in tasks)
    today = now - 86_400
    per_model = {name: 0 for name in MODELS}
    for task in tasks:
        if task.created_at > today and task.model in per_model:
            per_model[task.model] += 1
    limits = {"maxConcurrentGenerations": 2, "maxDailyGenerations": 200}
    return JSONResponse(
        {
            "creditBalance": STARTING_CREDITS - spent,
            "tier": {"maxMonthlyCreditSpend": 100_000, "models": {n: limits for n in MODELS}},
            "usage": {"models": {n: {"dailyGenerations": c} for n, c in per_model.items()}},
        }
    )
