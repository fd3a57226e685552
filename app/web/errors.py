"""Error answers for the JSON API: field lists for bad input, the upstream's words for its own."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.runway.client import UpstreamError
from app.validation import FieldError, Invalid


def invalid_response(errors: list[FieldError]) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"field": e.field, "message": e.message} for e in errors]}, status_code=422
    )


def upstream_response(exc: UpstreamError) -> JSONResponse:
    return JSONResponse({"error": exc.as_dict()}, status_code=502)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(".".join(str(p) for p in e["loc"] if p != "body") or "body", e["msg"])
            for e in exc.errors()
        ]
        return invalid_response(errors)

    @app.exception_handler(Invalid)
    async def _invalid(request: Request, exc: Invalid) -> JSONResponse:
        return invalid_response(exc.errors)

    @app.exception_handler(UpstreamError)
    async def _upstream(request: Request, exc: UpstreamError) -> JSONResponse:
        return upstream_response(exc)
