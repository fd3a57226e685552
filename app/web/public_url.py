"""Where clients reach this console: one answer for the page, the API and the gateway.

Answers carry absolute URLs: a client on another origin (a relay's panel, Node's `fetch`)
cannot resolve `/media/…` against anything. The scheme and host are CONSOLE_PUBLIC_URL's, else
the request's own, as the operator's proxies forwarded them (app/serving.py decides which
proxies may), so the stored records keep their origin-free paths.
"""

from starlette.requests import HTTPConnection

from app.runway.endpoints import SIMULATOR_ORIGIN


def base_of(request: HTTPConnection, configured: str | None) -> str:
    """CONSOLE_PUBLIC_URL (`configured`) when set, else the request's own scheme and host (no
    trailing /). app/web/deps.py's `public_base` gives it the setting."""
    return (configured or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")


def absolute_url(base: str, url: str) -> str:
    """`url` as a client anywhere can fetch it: the in-process simulator's address becomes its
    mount here, a path on this console gets `base` in front, anything else is left alone."""
    if url.startswith(SIMULATOR_ORIGIN):
        url = "/simulator" + url[len(SIMULATOR_ORIGIN) :]
    return base + url if url.startswith("/") and not url.startswith("//") else url
