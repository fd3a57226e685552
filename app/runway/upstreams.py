"""Upstream access: which upstream an address means for this console, and with which key.

The address field is typed by strangers: `resolve` refuses what the SSRF guard refuses before
anything is sent, naming the `baseUrl` field. The operator's key is lent only to the operator's
own upstream, never to an address a person typed.
"""

import hmac
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from app.catalog.validation import FieldError, Invalid
from app.core.keys import Caller, owner_of
from app.core.secret_compare import same_secret
from app.core.settings import Settings
from app.runway.endpoints import (
    SIMULATOR_ADDRESS,
    BadAddress,
    Upstream,
    UpstreamKind,
    resolve_upstream,
)
from app.runway.guard import (
    GuardPolicy,
    IPAddress,
    UpstreamRefused,
    address_refusal,
    resolve_checked,
)

OFFICIAL_BASE = "https://api.dev.runwayml.com"
HostResolver = Callable[[str, int, GuardPolicy], Awaitable[IPAddress]]


class UpstreamAccess:
    """The guard's policy, the operator's upstream and key, and who a caller is."""

    def __init__(
        self,
        settings: Settings,
        secret: bytes,
        policy: GuardPolicy,
        resolve_host: HostResolver = resolve_checked,
    ) -> None:
        self.policy = policy
        self._secret = secret
        self._operator_key = settings.runwayml_api_secret
        self._resolve_host = resolve_host
        self.operator_upstream = (
            resolve_upstream(settings.runwayml_base_url or OFFICIAL_BASE)
            if settings.runwayml_api_secret
            else None
        )

    @property
    def default_address(self) -> str:
        """The address a fresh form holds: the operator's upstream, else the simulator."""
        return self.operator_upstream.base_url if self.operator_upstream else SIMULATOR_ADDRESS

    def caller(self, personal_key: str | None) -> Caller:
        key = (personal_key or "").strip() or None
        return Caller(key, owner_of(key, self._secret, operator=bool(self.operator_upstream)))

    def stand_in(self, word: str) -> Caller:
        """The caller for a word that must never leave the console (the password at the
        gateway): a key derived from it under the console's secret, which no upstream knows,
        is sent in its place. It is the same each time, so the word reads back what it created,
        as any key does, and its answers are a key's answers whatever the upstream says."""
        derived = hmac.digest(
            self._secret, b"stand-in:" + word.encode("utf-8", "surrogatepass"), "sha256"
        )
        return self.caller(f"key_{derived.hex()}")

    def keys_among(self, words: Iterable[str], owner: str) -> list[str]:
        """The keys to mask in text a relay sent about a task of `owner`: the operator's, and
        any of `words` that is the owner's own key (its HMAC is the owner id; the key itself
        is never stored)."""
        known = [self._operator_key.get_secret_value()] if self._operator_key else []
        if not owner.startswith("key:"):
            return known
        found = (w for w in words if same_secret(owner_of(w, self._secret), owner))
        return known + list(found)

    def key_for(self, upstream: Upstream, caller: Caller) -> str | None:
        """The personal key, else the operator's, but only for the operator's own upstream."""
        if caller.key:
            return caller.key
        if self.operator_upstream and upstream.base_url == self.operator_upstream.base_url:
            return self._operator_key.get_secret_value() if self._operator_key else None
        return None

    def refusal(self, upstream: Upstream) -> str | None:
        """Why the guard refuses an upstream, from its address alone (no DNS: for live hints)."""
        if upstream.kind is UpstreamKind.SIMULATOR:
            return None
        return address_refusal(upstream.base_url, self.policy)

    async def resolve(self, address: str | None) -> Upstream:
        """The upstream for an address, refused (as a `baseUrl` field error) if off-limits."""
        try:
            upstream = resolve_upstream(address or self.default_address)
        except BadAddress as exc:
            raise Invalid([FieldError("baseUrl", str(exc))]) from None
        if upstream.kind is UpstreamKind.SIMULATOR:
            return upstream
        reason = self.refusal(upstream)
        if reason:
            raise Invalid([FieldError("baseUrl", reason)])
        parts = urlsplit(upstream.base_url)
        try:
            await self._resolve_host(parts.hostname or "", parts.port or 443, self.policy)
        except UpstreamRefused as exc:
            raise Invalid([FieldError("baseUrl", str(exc))]) from None
        return upstream
