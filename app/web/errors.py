"""Error answers for the JSON API: field lists for bad input, the upstream's words for its own."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.catalog.validation import BodyTooLarge, FieldError, Invalid
from app.core.i18n import gettext as _
from app.runway.client import UpstreamError
from app.team.usage import OverBudget


def invalid_response(errors: list[FieldError]) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"field": e.field, "message": e.message} for e in errors]}, status_code=422
    )


def upstream_response(exc: UpstreamError) -> JSONResponse:
    return JSONResponse({"error": exc.as_dict()}, status_code=502)


def _field_error(error: dict[str, Any], body: Any) -> FieldError:
    """One validation error as a field and a message. A body that is not JSON at all is a
    `body` error with the parser's words and position (FastAPI puts the position in `loc`,
    where it would read as a field named "1")."""
    if error.get("type") == "json_invalid":
        position = error["loc"][-1] if isinstance(error["loc"][-1], int) else 0
        text = body if isinstance(body, str) else ""
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        reason = (error.get("ctx") or {}).get("error") or error["msg"]
        return FieldError(
            "body",
            _(
                "the body is not valid JSON: {reason} at line {line}, column {column}",
                reason=reason,
                line=line,
                column=column,
            ),
        )
    return FieldError(".".join(str(p) for p in error["loc"] if p != "body") or "body", error["msg"])


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_response([_field_error(e, exc.body) for e in exc.errors()])

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        answer = invalid_response(exc.errors)
        answer.status_code = 413
        return answer

    @app.exception_handler(Invalid)
    async def _invalid(request: Request, exc: Invalid) -> JSONResponse:
        return invalid_response(exc.errors)

    @app.exception_handler(UpstreamError)
    async def _upstream(request: Request, exc: UpstreamError) -> JSONResponse:
        return upstream_response(exc)

    @app.exception_handler(OverBudget)
    async def _over_budget(request: Request, exc: OverBudget) -> JSONResponse:
        return over_budget_response(exc)


def over_budget_response(exc: OverBudget) -> JSONResponse:
    """429 naming the budget, today's use and when it resets; nothing was sent upstream."""
    return JSONResponse(exc.as_dict(), 429, headers={"Retry-After": str(exc.retry_after_s)})
