"""The SSRF guard: which upstream addresses the console may call.

The address field is typed by strangers, so the console would otherwise be a proxy into the
operator's network. The check runs twice: on the address when a task is submitted (so the
person hears why at once) and on the resolved IP at connect time (`GuardedTransport`), which
pins the connection to the checked IP so DNS rebinding cannot swap it afterwards.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from app.core.i18n import gettext as _
from app.runway.url_cache import pinned_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Cloud metadata and credential endpoints: refused in every mode, since one answer from them
# can hand over the machine's cloud credentials.
METADATA_ADDRESSES = {
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, Oracle, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata and credentials
        "169.254.170.23",  # AWS EKS pod identity
        "fd00:ec2::254",
        "fd00:ec2::23",
        "100.100.100.200",  # Alibaba
    )
}
# IPv6 spellings of an IPv4 address: IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64.
IPV4_SPELLINGS = tuple(
    ipaddress.IPv6Network(network)
    for network in ("::ffff:0:0/96", "::/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # a network's own translator (RFC 8215)
SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")  # deprecated, but still routed inside sites
LOW_32 = 0xFFFFFFFF


class UpstreamRefused(Exception):
    """The guard refused an address; the message says what and why, for the person."""


@dataclass(frozen=True)
class GuardPolicy:
    allow_private: bool = False
    allowed_bases: tuple[str, ...] = ()


def ip_refusal(ip: IPAddress, policy: GuardPolicy) -> str | None:
    """Why the console may not connect to `ip`, or None.

    An IPv6 address that embeds an IPv4 one (a spelling, NAT64, 6to4, Teredo) is judged by that
    IPv4 address as well, since that is where the packets may end up.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        spelled = _spelled_ipv4(ip)
        if spelled is not None:
            return _plain_refusal(spelled, policy)
        for inner in _tunnelled_ipv4(ip):
            reason = _plain_refusal(inner, policy)
            if reason:
                return reason
    return _plain_refusal(ip, policy)


def _spelled_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that `ip` is only another spelling of (`::a.b.c.d` and kin), or None."""
    if int(ip) <= 1:  # `::` and `::1` are IPv6's own unspecified and loopback addresses
        return None
    if any(ip in network for network in IPV4_SPELLINGS):
        return ipaddress.IPv4Address(int(ip) & LOW_32)
    return None


def _tunnelled_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses a 6to4, Teredo or local-use NAT64 address can lead to."""
    found: list[ipaddress.IPv4Address] = []
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in NAT64_LOCAL:  # the IPv4 address sits at the end, or split around the u-octet
        value = int(ip)
        found.append(ipaddress.IPv4Address(value & LOW_32))
        found.append(ipaddress.IPv4Address((value >> 64 & 0xFFFF) << 16 | (value >> 40 & 0xFFFF)))
    return found


def _plain_refusal(ip: IPAddress, policy: GuardPolicy) -> str | None:
    if ip in METADATA_ADDRESSES:
        return _("{ip} is a cloud metadata address", ip=ip)
    if ip.is_multicast:
        return _("{ip} is a loopback, private, link-local or reserved address", ip=ip)
    local = ip.version == 6 and (ip in SITE_LOCAL or ip in NAT64_LOCAL)
    if ip.is_global and not ip.is_reserved and not local:
        return None
    if policy.allow_private and (ip.is_loopback or ip.is_private or local):
        return None
    return _("{ip} is a loopback, private, link-local or reserved address", ip=ip)


def address_refusal(base_url: str, policy: GuardPolicy) -> str | None:
    """Checks that need no DNS: the allow-list, an address written as an IP (or localhost), and
    the scheme. The preview and Generate both ask this, so they say the same thing, once."""
    if policy.allowed_bases and base_url.rstrip("/") not in policy.allowed_bases:
        return _("this console only calls the addresses its operator allowed")
    parts = urlsplit(base_url)
    literal = _written_ip(parts.hostname or "")
    reason = ip_refusal(literal, policy) if literal is not None else None
    if reason and literal is not None:
        return reason + _allowed_by_setting(literal, policy)
    if parts.scheme == "https" or (parts.scheme == "http" and policy.allow_private):
        return None
    return _(
        "the API address must use https:// (plain http:// is allowed only when the operator "
        "sets CONSOLE_ALLOW_PRIVATE_UPSTREAMS=true, for a relay or simulator on their own network)"
    )


def local_hook_allowed(url: str, policy: GuardPolicy) -> bool:
    """Whether a notify_hook on the operator's own network may skip the https rule: only where
    http upstreams are allowed too (CONSOLE_ALLOW_PRIVATE_UPSTREAMS), and only to a loopback
    or private host written as an IP or `localhost`, so a callback can be rehearsed against a
    local http listener. The console never calls the hook itself; the upstream does."""
    try:
        parts = urlsplit(url)
        _port = parts.port  # raises ValueError for a bad port
    except ValueError:
        return False
    ip = _written_ip(parts.hostname or "")
    if not policy.allow_private or parts.scheme not in ("http", "https") or ip is None:
        return False
    return (ip.is_loopback or ip.is_private) and ip_refusal(ip, policy) is None


def _written_ip(host: str) -> IPAddress | None:
    """The address a host name stands for without DNS: an IP literal, or localhost."""
    if host == "localhost" or host.endswith(".localhost"):
        return ipaddress.IPv4Address("127.0.0.1")
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _allowed_by_setting(ip: IPAddress, policy: GuardPolicy) -> str:
    """Names the setting that would allow `ip`, when one would."""
    if policy.allow_private or ip_refusal(ip, GuardPolicy(True, policy.allowed_bases)):
        return ""
    return _("; the operator can allow it with CONSOLE_ALLOW_PRIVATE_UPSTREAMS=true")


async def resolve_checked(host: str, port: int, policy: GuardPolicy) -> IPAddress:
    """Resolve `host` and return an address to connect to, refusing if any answer is off-limits.

    Every answer is checked, not just the first, so a name that mixes public and private
    addresses cannot be used to reach the private one.
    """
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:  # nothing to resolve: decide at once, with no thread hop
        reason = ip_refusal(literal, policy)
        if reason:
            raise UpstreamRefused(_("refused {host}: {reason}", host=host, reason=reason))
        return literal
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UpstreamRefused(
            _("cannot resolve {host}: {error}", host=host, error=exc.strerror or exc)
        ) from exc
    except UnicodeError as exc:  # a name IDNA cannot encode (an empty label: `a..b`)
        raise UpstreamRefused(_("cannot resolve {host}: {error}", host=host, error=exc)) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for ip in addresses:
        reason = ip_refusal(ip, policy)
        if reason:
            raise UpstreamRefused(_("refused {host}: {reason}", host=host, reason=reason))
    return addresses[0]


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that connects only to checked IPs, keeping Host and TLS name."""

    def __init__(self, policy: GuardPolicy, inner: httpx.AsyncBaseTransport) -> None:
        self._policy = policy
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if request.url.scheme != "https" and not self._policy.allow_private:
            raise UpstreamRefused(
                _("refused {address}: https is required", address=f"{request.url.scheme}://{host}")
            )
        ip = await resolve_checked(host, request.url.port or 443, self._policy)
        if request.url.scheme == "https":
            # An outer guard (public outputs, client.py) has already pinned the name.
            request.extensions = {"sni_hostname": host, **request.extensions}
        request.url = pinned_url(request.url, str(ip))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class PublicOnlyTransport(GuardedTransport):
    """A stricter guard in front of the console's own guarded transport, for output videos
    that are not on the upstream's own host: they must resolve to public addresses even when
    private upstreams are allowed. Closing it leaves the shared transport open."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        super().__init__(GuardPolicy(allow_private=False), inner)

    async def aclose(self) -> None:
        return None
