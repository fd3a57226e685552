"""Which upstream an API address means, and the exact URLs to call on it (docs/runway-api.md)."""

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote, urlsplit

from app.core.i18n import N_
from app.core.i18n import gettext as _

OFFICIAL_HOST = "api.dev.runwayml.com"
RUNWAY_VERSION = "2024-11-06"
SIMULATOR_ORIGIN = "http://simulator.internal"
SIMULATOR_ADDRESS = "simulator"  # what the address field holds, and a task's base_url, for it


KIND_LABELS = (N_("simulator"), N_("official"), N_("relay"))  # shown translated on the page


class UpstreamKind(StrEnum):
    SIMULATOR = "simulator"
    OFFICIAL = "official"
    RELAY = "relay"


class BadAddress(ValueError):
    """The API address cannot be an upstream at all (no scheme, no host, …)."""


@dataclass(frozen=True)
class Upstream:
    """A resolved upstream: `api_root` ends just before `/image_to_video`."""

    kind: UpstreamKind
    base_url: str
    api_root: str
    # Typed without a scheme, so https:// was put in front: when nothing answers, plain http
    # is worth offering.
    assumed_https: bool = field(default=False, compare=False)

    @property
    def create_url(self) -> str:
        return self.endpoint_url("image_to_video")

    def endpoint_url(self, path: str) -> str:
        """A create endpoint's URL (`text_to_video`, ...: app/catalog/endpoints.py)."""
        return f"{self.api_root}/{path}"

    def task_url(self, task_id: str) -> str:
        """A relay's task id may hold `/`, CR LF or any letter: it is one path segment."""
        return f"{self.api_root}/tasks/{quote(task_id, safe='')}"

    @property
    def uploads_url(self) -> str:
        return f"{self.api_root}/uploads"

    @property
    def takes_uploads(self) -> bool:
        """Whether frames too big for a data URI go up as ephemeral uploads (`runway://`)
        rather than shrunk: the official API and the built-in simulator, which speaks it.
        Relays document no uploads, so they keep getting data URIs (docs/runway-api.md)."""
        return self.kind in (UpstreamKind.OFFICIAL, UpstreamKind.SIMULATOR)

    @property
    def organization_url(self) -> str:
        return f"{self.api_root}/organization"

    @property
    def headers(self) -> dict[str, str]:
        """Headers beyond auth; the official API requires its version header, and so does the
        built-in simulator on the official paths it is called at."""
        if self.kind in (UpstreamKind.OFFICIAL, UpstreamKind.SIMULATOR):
            return {"X-Runway-Version": RUNWAY_VERSION}
        return {}

    @property
    def label(self) -> str:
        return N_("built-in simulator") if self.kind is UpstreamKind.SIMULATOR else self.base_url


def resolve_upstream(address: str | None) -> Upstream:
    """Turn what the person typed into an Upstream, without doubling `/runwayml` or `/v1`."""
    text = (address or "").strip()
    if text.rstrip("/").lower() in ("", SIMULATOR_ADDRESS):
        return Upstream(UpstreamKind.SIMULATOR, SIMULATOR_ADDRESS, f"{SIMULATOR_ORIGIN}/v1")
    assumed_https = "://" not in text
    if assumed_https:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        _port = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise BadAddress(_("the API address is not a valid URL ({error})", error=exc)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadAddress(_("the API address must look like https://host"))
    try:
        parts.hostname.encode("idna")
    except UnicodeError as exc:  # `a..b`: an empty label, which no resolver can look up
        raise BadAddress(_("the API address is not a valid URL ({error})", error=exc)) from None
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise BadAddress(_("the API address may not carry credentials, a query or a fragment"))
    base = text.rstrip("/")
    for suffix in ("/v1", "/runwayml"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
    if parts.hostname.lower() == OFFICIAL_HOST:
        return Upstream(UpstreamKind.OFFICIAL, base, f"{base}/v1", assumed_https)
    return Upstream(UpstreamKind.RELAY, base, f"{base}/runwayml/v1", assumed_https)
