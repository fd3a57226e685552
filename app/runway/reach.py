"""Why a request to an upstream got no answer, said without calling it a refusal.

A closed port is not an upstream refusing a task: nothing answered. An https attempt at a port
that speaks plain http fails in the TLS handshake; so may an address typed without a scheme
(https:// is assumed). In both cases the same address with http:// is offered.
"""

import ssl

import httpx

from app.core.i18n import gettext as _
from app.runway.endpoints import Upstream
from app.runway.exchange import UpstreamError

UNREACHED = "unreached"
PLAIN_HTTP = "plain_http"


def _speaks_plain_http(exc: BaseException) -> bool:
    """A TLS handshake that failed on the bytes it got back (not on the certificate)."""
    seen: BaseException | None = exc
    for _depth in range(8):  # httpx's error wraps httpcore's, which wraps the ssl module's
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError) and not isinstance(seen, ssl.CertificateError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _plain_address(upstream: Upstream) -> str:
    return "http://" + upstream.base_url.removeprefix("https://")


def unanswered(upstream: Upstream, exc: httpx.HTTPError) -> UpstreamError:
    """The error for a request that got no HTTP answer (the client's last resort)."""
    label = _(upstream.label)
    https = upstream.base_url.startswith("https://")
    if https and isinstance(exc, httpx.ConnectError) and _speaks_plain_http(exc):
        offer = _plain_address(upstream)
        message = _(
            "{upstream} answered, but not in https: that port speaks plain http. Use {http}",
            upstream=label,
            http=offer,
        )
        return UpstreamError(message, retryable=True, reach=PLAIN_HTTP, http_offer=offer)
    if isinstance(exc, httpx.ConnectError):
        message = _("nothing answered at {upstream} ({detail})", upstream=label, detail=exc)
        offer = _plain_address(upstream) if https and upstream.assumed_https else ""
        if offer:
            message += " — " + _(
                "the address had no scheme, so https:// was tried; if the relay speaks plain "
                "http, use {http}",
                http=offer,
            )
        return UpstreamError(message, retryable=True, reach=UNREACHED, http_offer=offer)
    detail = type(exc).__name__
    message = _("could not reach {upstream}: {detail}", upstream=label, detail=detail)
    return UpstreamError(message, retryable=True)
