"""The Runway API at the console's root: `/v1/...` and `/runwayml/v1/...`, for SDKs and apps.

Every create goes through the same task service as the page, so a gateway task lands in the
same history (frames, transcript, saved video) under its member or key. Each endpoint the
console supports is one entry of `CREATE_ENDPOINTS`; the task, organization, upload and media
routes are shared by all of them. Errors keep Runway's shape (`{"error": ...}`) and status codes.
"""

from collections.abc import Awaitable, Callable
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match

from app.catalog.endpoints import ENDPOINTS, CreateEndpoint
from app.catalog.validation import Invalid
from app.core.i18n import language
from app.core.json_values import NotJson, parse_json
from app.gateway.auth import (
    REFUSED_KEY,
    GatewayCaller,
    GatewayRefusal,
    count_guess,
    gateway_caller,
)
from app.gateway.protocol import PREFIXES, version_refusal
from app.gateway.shapes import created_answer, error_body, issue_path, task_answer
from app.gateway.uploads import upload_slot_answer
from app.gateway.urls import output_urls
from app.media.copies import OUTPUT_TYPES
from app.runway.client import UpstreamError
from app.tasks.recording import TaskNotRecorded
from app.team.account import member_account, organization_answer
from app.team.members import MemberError
from app.team.usage import OverBudget
from app.web.deps import services
from app.web.downloads import gateway_media
from app.web.errors import over_budget_response

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
CREATE_ENDPOINTS = tuple(ENDPOINTS.values())  # app/catalog/endpoints.py: one table for all
TASK_NOT_FOUND = "Task not found"
REFUSALS = (GatewayRefusal, OverBudget, MemberError, Invalid, UpstreamError)


async def _caller(request: Request) -> GatewayCaller:
    state = services(request)
    return await gateway_caller(request, state.settings, state.members, state.upstreams)


async def answer(
    request: Request, work: Callable[[GatewayCaller], Awaitable[Response]]
) -> Response:
    """Authenticate, run, and turn every refusal into Runway's error shape (in English, as
    Runway answers whatever the caller's language). The version header is checked first, as
    the simulator does (app/gateway/protocol.py). Behind a password, a bearer that is no member
    token is a guess until the upstream accepts it: any other answer counts against the login
    limiter, whichever the route and whatever went wrong (app/gateway/auth.py)."""
    if (refusal := version_refusal(request)) is not None:
        return refusal
    with language("en"):
        who: GatewayCaller | None = None
        try:
            who = await _caller(request)
            response = await work(who)
        except REFUSALS as exc:
            response = _refusal(who, exc)
    if who is not None and who.guess and not 200 <= response.status_code < 300:
        count_guess(request)
    return response


def _refusal(who: GatewayCaller | None, exc: Exception) -> Response:
    """Runway's error answer to what stopped the work."""
    if isinstance(exc, GatewayRefusal):
        return JSONResponse(error_body(exc.message), exc.status, headers=exc.headers)
    if isinstance(exc, OverBudget):
        return over_budget_response(exc)
    if isinstance(exc, MemberError):
        return JSONResponse(error_body(str(exc)), 401)
    if isinstance(exc, Invalid):
        first = exc.errors[0].field.split("[")[0].split(".")[0] if exc.errors else "body"
        issues = [{"path": issue_path(e.field), "message": e.message} for e in exc.errors]
        return JSONResponse(error_body(f"Invalid parameter '{first}'", issues=issues), 400)
    if not isinstance(exc, UpstreamError):  # none left: REFUSALS names what is answered here
        raise exc
    if who is not None and who.member is not None and exc.status in (401, 403):
        # The operator's key was refused: the member's token is fine, so not a 401.
        message = "The console's upstream refused its operator key; tell the operator"
        return JSONResponse(error_body(message), 502)
    if who is not None and who.guess and exc.status in (401, 403):
        return JSONResponse(error_body(REFUSED_KEY), 401)  # a key the upstream does not know
    return upstream_refusal(exc)


def upstream_refusal(exc: UpstreamError) -> Response:
    """The upstream's own error as it came, or a 502 naming what went wrong on the way."""
    if exc.status is None:
        return JSONResponse(error_body(exc.message), 502)
    media_type = (exc.headers.get("content-type") or "application/json").split(";")[0]
    retry = {"Retry-After": exc.headers["retry-after"]} if "retry-after" in exc.headers else {}
    return Response(exc.body, exc.status, headers=retry, media_type=media_type)


def _create_route(endpoint: CreateEndpoint) -> Callable[[Request], Awaitable[Response]]:
    async def create(request: Request) -> Response:
        async def work(who: GatewayCaller) -> Response:
            try:
                body = parse_json(await request.body())
            except NotJson as exc:
                raise GatewayRefusal(400, str(exc)) from None
            if not isinstance(body, dict):
                raise GatewayRefusal(400, "Request body must be a JSON object")
            try:
                record = await services(request).running.tasks.submit(
                    body, who.address, who.caller, endpoint=endpoint.path
                )
            except TaskNotRecorded as exc:  # it exists upstream: its id, or the app pays twice
                record = exc.record
            return JSONResponse(created_answer(record))

        return await answer(request, work)

    create.__name__ = f"create_{endpoint.path}"
    return create


async def create_upload(request: Request) -> Response:
    """An ephemeral upload's slot on the caller's upstream (app/gateway/uploads.py)."""
    return await answer(request, partial(upload_slot_answer, request))


async def read_task(request: Request) -> Response:
    async def work(who: GatewayCaller) -> Response:
        tasks = services(request).running.tasks
        record = await tasks.get(request.path_params["task_id"], who.caller)
        if record is None:  # another member's or key's task is as unknown as a made-up id
            raise GatewayRefusal(404, TASK_NOT_FOUND)
        return JSONResponse(task_answer(record, output_urls(request, record)))

    return await answer(request, work)


async def delete_task(request: Request) -> Response:
    """Cancel a running task or delete a finished one, as Runway does: it is gone afterwards."""

    async def work(who: GatewayCaller) -> Response:
        tasks = services(request).running.tasks
        if not await tasks.delete(request.path_params["task_id"], who.caller):
            raise GatewayRefusal(404, TASK_NOT_FOUND)
        return Response(status_code=204)

    return await answer(request, work)


async def read_organization(request: Request) -> Response:
    """The upstream's organization; a member sees their own: what is left of their budget today
    and their own runs (app/team/account.py)."""

    async def work(who: GatewayCaller) -> Response:
        state = services(request)
        data = await state.running.accounts.organization(who.address, who.caller)
        if who.member is not None:  # the member's own day, not the organisation's
            account = await member_account(state.members, state.usage, who.member)
            if account is not None:
                data = organization_answer(data, account)
        return JSONResponse(data)

    return await answer(request, work)


def _unknown_endpoint(routes: list[BaseRoute]) -> Callable[[Request], Awaitable[Response]]:
    """The catch-all of the gateway's `routes`: any method on a path none of them has is a 404,
    as in the simulator, where an SDK's PATCH update (avatars, voices, …) of a route it lacks
    is a 404 too; a path one of them has, with a method it does not take, is Runway's 405."""

    async def unknown_endpoint(request: Request) -> Response:
        if (refusal := version_refusal(request)) is not None:
            return refusal
        allowed = {
            method
            for route in routes
            if route.matches(request.scope)[0] is Match.PARTIAL
            for method in getattr(route, "methods", None) or ()
        }
        if allowed:
            headers = {"Allow": ", ".join(sorted(allowed))}
            return JSONResponse(error_body("Method not allowed"), 405, headers=headers)
        message = "Not found: this console does not offer this endpoint"
        return JSONResponse(error_body(message), 404)

    return unknown_endpoint


def gateway_router() -> APIRouter:
    """Every gateway route under both prefixes; the catch-all last, so it only takes the rest."""
    router = APIRouter(include_in_schema=False)
    unknown = _unknown_endpoint(router.routes)  # the list as it stands once all are added
    for prefix in PREFIXES:
        for endpoint in CREATE_ENDPOINTS:
            router.add_route(f"{prefix}/{endpoint.path}", _create_route(endpoint), ["POST"])
        router.add_route(f"{prefix}/uploads", create_upload, ["POST"])
        router.add_route(f"{prefix}/tasks/{{task_id}}", read_task, ["GET"])
        router.add_route(f"{prefix}/tasks/{{task_id}}", delete_task, ["DELETE"])
        router.add_route(f"{prefix}/organization", read_organization, ["GET"])
        # The saved copy, as /media/ serves it (Range, token in the URL), under a path that
        # skips the page's password like every gateway path: an app fetches it with the URL,
        # so only the token or an owner's key opens it there (app/web/downloads.py).
        for suffix in OUTPUT_TYPES:
            path = f"{prefix}/media/{{task_id}}.{suffix}"
            router.add_api_route(path, gateway_media, methods=["GET", "HEAD"])
        router.add_route(f"{prefix}/{{rest:path}}", unknown, ALL_METHODS)
    return router
