"""`GET /v1/organization` and `POST /v1/organization/usage`: the caller's own books.

Each key is its own organization (books.py): its balance, its tier's limits per model, and the
creates of the last 24 hours that the daily cap counts; the usage endpoint sums what each model
cost per UTC day, as the SDK's `retrieve_usage` reads it.
"""

import asyncio
import datetime
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.catalog.models import MODELS
from app.core.json_values import parse_json
from app.simulator.answers import authorised, caller_owner, error
from app.simulator.books import MONTHLY_SPEND, Books
from app.simulator.state import sim_state

USAGE_DAYS_MAX = 90
USAGE_DAYS_DEFAULT = 30


def organization_body(books: Books, owner: str) -> dict[str, Any]:
    """The organization as Runway reports it, for this key's account."""
    now = time.time()
    account = books.account(owner)
    made = books.daily(owner, now)
    limits = {
        "maxConcurrentGenerations": account.max_concurrent,
        "maxDailyGenerations": account.max_daily,
    }
    names = [*MODELS, *(name for name in made if name not in MODELS)]
    return {
        "creditBalance": books.balance(owner, now),
        "tier": {"maxMonthlyCreditSpend": MONTHLY_SPEND, "models": {n: limits for n in names}},
        "usage": {"models": {n: {"dailyGenerations": len(made.get(n, []))} for n in names}},
    }


async def read_organization(request: Request) -> Response:
    if not authorised(request):
        return error(request, 401, "Invalid API key")
    books = sim_state(request).books
    return JSONResponse(await asyncio.to_thread(organization_body, books, caller_owner(request)))


def _day(value: object, name: str) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else _bad(name)
    except ValueError:
        return _bad(name)


def _bad(name: str) -> datetime.date:
    raise ValueError(f"Invalid parameter '{name}': expected a date as YYYY-MM-DD")


def _window(body: dict[str, Any]) -> tuple[datetime.date, datetime.date]:
    """[start, before) as the SDK documents: 30 days back, 30 days long, at most 90."""
    start = _day(body.get("startDate"), "startDate")
    before = _day(body.get("beforeDate"), "beforeDate")
    today = datetime.datetime.now(datetime.UTC).date()
    start = start or today - datetime.timedelta(days=USAGE_DAYS_DEFAULT)
    try:
        before = before or start + datetime.timedelta(days=USAGE_DAYS_DEFAULT)
    except OverflowError:  # a start within 30 days of 9999-12-31 has no default end
        raise ValueError("Invalid parameter 'startDate': too late for a 30-day window") from None
    if before <= start:
        raise ValueError("Invalid parameter 'beforeDate': must be after startDate")
    if (before - start).days > USAGE_DAYS_MAX:
        raise ValueError(f"Invalid parameter 'beforeDate': at most {USAGE_DAYS_MAX} days")
    return start, before


def usage_body(books: Books, owner: str, start: datetime.date, before: datetime.date) -> dict:
    """Net credits per model per UTC day (refunds make a task cost nothing)."""
    now = time.time()
    spent: dict[datetime.date, dict[str, int]] = {}
    mine = [u for u in books.store.usage() if u.owner == owner]
    facts = [(u.model, u.created_at, u.charged(now)) for u in mine]
    for model, created_at, charged in [*facts, *books.account(owner).deleted]:
        day = datetime.datetime.fromtimestamp(created_at, datetime.UTC).date()
        if start <= day < before:
            per_model = spent.setdefault(day, {})
            per_model[model] = per_model.get(model, 0) + int(charged)
    models = sorted({model for per_model in spent.values() for model in per_model})
    results = [
        {
            "date": day.isoformat(),
            "usedCredits": [{"model": m, "amount": a} for m, a in sorted(spent[day].items())],
        }
        for day in sorted(spent)
    ]
    return {"models": models, "results": results}


async def read_usage(request: Request) -> Response:
    if not authorised(request):
        return error(request, 401, "Invalid API key")
    try:
        body = parse_json(await request.body() or b"{}")
        if not isinstance(body, dict):
            raise ValueError("Request body must be a JSON object")
        start, before = _window(body)
    except ValueError as exc:
        return error(request, 400, str(exc))
    books = sim_state(request).books
    answer = await asyncio.to_thread(usage_body, books, caller_owner(request), start, before)
    return JSONResponse(answer)
