"""Reading a request's headers straight from the ASGI scope.

The middlewares run on every request, and most of them need one or two headers: scanning the
raw list for those is cheaper than building a `Request` or a dict of every header.
"""

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str:
    """The first value of header `name` (lower case), or ""."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


def cookie(scope: Scope, name: str) -> str | None:
    """One cookie's value from the Cookie header, or None."""
    for part in header(scope, b"cookie").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None
