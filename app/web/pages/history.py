"""History under the form: pages of past tasks, refreshed as they are viewed."""

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.runway.status import STATUSES
from app.web.deps import CallerDep, ServiceDep
from app.web.render import render

router = APIRouter()


HISTORY_PAGE = 25


async def _history_page(
    service: ServiceDep, caller: CallerDep, status: str, before: float | None
) -> dict[str, object]:
    """One page of history; tasks still running on it are refreshed (coalesced) as it is read."""
    status_filter = status if status in STATUSES else None
    records, more = await service.list_tasks(caller, HISTORY_PAGE, status_filter, before)
    return {
        "tasks": records,
        "more": more,
        "now": time.time(),
        "status": status_filter or "",
        "active": any(not r.is_final for r in records),
    }


@router.get("/history")
async def history(
    request: Request, service: ServiceDep, caller: CallerDep, status: str = ""
) -> Response:
    context = await _history_page(service, caller, status, None)
    context["total"] = await service.count(caller)
    return render(request, "partials/_history.html", context)


@router.get("/history/rows")
async def history_rows(
    request: Request, service: ServiceDep, caller: CallerDep, before: float, status: str = ""
) -> Response:
    """The next page of rows, for "Load more"."""
    context = await _history_page(service, caller, status, before)
    return render(request, "partials/_history_rows.html", context)
