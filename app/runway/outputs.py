"""Which output URLs an upstream may hand the console: checked before they are stored or shown.

An output URL is put into `<video src>` and `href`, and fetched by the console for its copy. A
relay could answer `javascript:`, `file:` or the address of another service on the console's own
network, and the console would render or fetch it. So an output is kept only when it is https
to a public address, or, when the operator allows private upstreams, on the upstream's own
scheme, host and port (a relay on a private network serves its files from itself). The
simulator's outputs are the console's own.
"""

import ipaddress
from urllib.parse import urlsplit

from app.core.i18n import gettext as _
from app.runway.endpoints import Upstream, UpstreamKind
from app.runway.guard import GuardPolicy, ip_refusal

MAX_OUTPUT_URL = 4096
PUBLIC_ONLY = GuardPolicy(allow_private=False)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def on_upstream_origin(url: str, upstream: Upstream) -> bool:
    """Whether `url` is served by the upstream itself (same scheme, host and port)."""
    try:
        return _origin(url) == _origin(upstream.base_url)
    except ValueError:
        return False


def output_refusal(url: object, upstream: Upstream, allow_private: bool) -> str | None:
    """Why an output URL may not be kept, or None when it may."""
    if not isinstance(url, str) or not url or len(url) > MAX_OUTPUT_URL:
        return _("it is not a URL")
    if any(ord(char) < 33 or char in "\\\x7f" for char in url):
        return _("it contains spaces, control characters or backslashes")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        _port = parts.port
    except ValueError:
        return _("it is not a valid URL")
    if upstream.kind is UpstreamKind.SIMULATOR:
        if parts.scheme in ("http", "https") or (not parts.scheme and url.startswith("/")):
            return None
        return _("it is not a web address")
    if allow_private and on_upstream_origin(url, upstream):
        return None
    if parts.scheme != "https" or not host or parts.username or parts.password:
        return _("only https addresses on public hosts are accepted")
    if host == "localhost" or host.endswith(".localhost"):
        return _("{host} is this machine", host=host)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None  # a name: the copy resolves it and refuses private answers (client.py)
    return ip_refusal(literal, PUBLIC_ONLY)
