"""Where clients reach this console: one answer for the page, the API and the gateway."""

from starlette.requests import Request


def public_base(request: Request) -> str:
    """CONSOLE_PUBLIC_URL when set, else the request's own scheme and host (no trailing /)."""
    configured = request.app.state.settings.public_url
    return (configured or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")
