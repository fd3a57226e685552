"""History under the form: pages of past tasks, refreshed as they are viewed."""

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.runway.status import STATUSES
from app.web.deps import CallerDep, ServiceDep
from app.web.history_rows import GroupRow, fold_groups
from app.web.render import render

router = APIRouter()


HISTORY_PAGE = 25


async def _history_page(
    service: ServiceDep, caller: CallerDep, status: str, before: float | None
) -> dict[str, object]:
    """One page of history; tasks still running on it are refreshed (coalesced) as it is read.

    A group is one row; one cut by the page's end is read whole, and the next page starts
    below it, so no group shows as two rows."""
    status_filter = status if status in STATUSES else None
    records, more = await service.list_tasks(caller, HISTORY_PAGE, status_filter, before)
    rows = fold_groups(records)
    next_before = records[-1].created_at if records else None
    if more and isinstance(rows[-1], GroupRow):
        tail = rows[-1]
        whole = await service.list_group(tail.group_id, caller)
        tail.tasks = [t for t in whole if status_filter in (None, t.status)] or tail.tasks
        next_before = min(t.created_at for t in whole)
    return {
        "rows": rows,
        "more": more,
        "next_before": next_before,
        "now": time.time(),
        "status": status_filter or "",
        "active": any(not r.is_final for r in records),
    }


@router.get("/history")
async def history(
    request: Request, service: ServiceDep, caller: CallerDep, status: str = ""
) -> Response:
    context = await _history_page(service, caller, status, None)
    context["total"], context["total_rows"] = await service.count(caller)
    # Tasks started without a key all belong to one owner: whoever opens the console without
    # a key sees them, which the page says rather than letting it look private.
    context["shared"] = not caller.key
    return render(request, "console/_history.html", context)


@router.get("/history/rows")
async def history_rows(
    request: Request, service: ServiceDep, caller: CallerDep, before: float, status: str = ""
) -> Response:
    """The next page of rows, for "Load more"."""
    context = await _history_page(service, caller, status, before)
    return render(request, "console/_history_rows.html", context)
