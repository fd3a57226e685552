"""Dependencies shared by the routes: the service and who is calling."""

from typing import Annotated

from fastapi import Depends, Header, Request

from app.tasks import Caller, TaskService


async def get_service(request: Request) -> TaskService:
    """Async on purpose: FastAPI runs a plain `def` dependency on a worker thread, a hop per
    request for a lookup that takes microseconds."""
    return request.app.state.tasks


async def get_caller(
    service: Annotated[TaskService, Depends(get_service)],
    x_runway_key: Annotated[str | None, Header(include_in_schema=True)] = None,
) -> Caller:
    """The personal key travels in `X-Runway-Key` with each request and is never kept."""
    return service.caller(x_runway_key)


ServiceDep = Annotated[TaskService, Depends(get_service)]
CallerDep = Annotated[Caller, Depends(get_caller)]
