"""The JSON API's reference at /docs: Swagger UI from the vendored copy, under the page's CSP.

FastAPI's own /docs page loads Swagger UI from a CDN with an inline script: the console's CSP
(`script-src 'self'`) blocks both, and the console must work on a network that reaches only
itself. This page is a template plus a static initializer (static/docs.js).
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.web.render import render_page

router = APIRouter(include_in_schema=False)
SWAGGER_UI = "vendor/swagger-ui-5.35.0"


@router.get("/docs")
async def read_docs(request: Request) -> Response:
    """The OpenAPI reference, read from /openapi.json by the vendored Swagger UI."""
    return render_page(request, "docs.html", {"swagger_ui": SWAGGER_UI})
