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

from app.i18n import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}


class UpstreamRefused(Exception):
    """The guard refused an address; the message says what and why, for the person."""


@dataclass(frozen=True)
class GuardPolicy:
    allow_private: bool = False
    allowed_bases: tuple[str, ...] = ()


def ip_refusal(ip: IPAddress, policy: GuardPolicy) -> str | None:
    """Why the console may not connect to `ip`, or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return _("{ip} is a cloud metadata address", ip=ip)
    if ip.is_global and not ip.is_multicast:
        return None
    if policy.allow_private and (ip.is_loopback or ip.is_private) and not ip.is_multicast:
        return None
    return _("{ip} is a loopback, private, link-local or reserved address", ip=ip)


def address_refusal(base_url: str, policy: GuardPolicy) -> str | None:
    """Checks that need no DNS: the allow-list and the scheme."""
    if policy.allowed_bases and base_url.rstrip("/") not in policy.allowed_bases:
        return _("this console only calls the addresses its operator allowed")
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and policy.allow_private:
        return None
    return _("the API address must use https://")


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
            request.extensions = {**request.extensions, "sni_hostname": host}
        request.url = request.url.copy_with(host=str(ip))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
