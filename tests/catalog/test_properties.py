"""Property tests: the validators, URL parser and guard hold for any input, not just examples."""

import ipaddress
import string
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains

from app.catalog.credits import MAX_CREDITS, MAX_SECONDS, estimate_credits
from app.catalog.endpoints import ENDPOINTS
from app.catalog.models import AUDIO_ENDPOINTS
from app.catalog.validation import Invalid, check_https_url, validate_create_body
from app.core.keys import mask_key
from app.runway.endpoints import BadAddress, UpstreamKind, resolve_upstream
from app.runway.guard import GuardPolicy, ip_refusal
from app.simulator import audio
from app.simulator.checks import BodyRefused
from app.simulator.schema_checks import check_schema

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "model",
        "promptImage",
        "promptText",
        "ratio",
        "duration",
        "seed",
        "watermark",
        "notify_hook",
        "contentModeration",
    ]
)
NON_PUBLIC = [
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "0.0.0.0/8",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
        "ff00::/8",
    )
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(FIELDS, JSON, max_size=9))
def test_validation_only_ever_raises_invalid(body: dict) -> None:
    try:
        validate_create_body(body)
    except Invalid as exc:
        assert exc.errors and all(e.field and e.message for e in exc.errors)


@settings(max_examples=400)
@given(st.text(max_size=120))
def test_address_parsing_only_ever_raises_bad_address(address: str) -> None:
    try:
        upstream = resolve_upstream(address)
    except BadAddress:
        return
    assert upstream.create_url.endswith("/v1/image_to_video")
    assert "/runwayml/runwayml" not in upstream.create_url
    assert "/v1/v1" not in upstream.create_url
    if upstream.kind is not UpstreamKind.SIMULATOR:
        assert upstream.create_url.startswith(("http://", "https://"))


@given(
    st.sampled_from(NON_PUBLIC).flatmap(
        lambda net: st.integers(0, net.num_addresses - 1).map(lambda i: net[i])
    )
)
def test_every_non_public_address_is_refused(ip: ipaddress.IPv4Address) -> None:
    assert ip_refusal(ip, GuardPolicy()) is not None
    if ip.version == 4:
        for form in transition_forms(ip):
            assert ip_refusal(form, GuardPolicy()) is not None, form


def transition_forms(ip: ipaddress.IPv4Address) -> list[ipaddress.IPv6Address]:
    """Every IPv6 spelling that leads to `ip`: mapped, compatible, translated, NAT64, 6to4."""
    value = int(ip)
    return [
        ipaddress.IPv6Address(f"::ffff:{ip}"),
        ipaddress.IPv6Address(value),
        ipaddress.IPv6Address(f"::ffff:0:{ip}"),
        ipaddress.IPv6Address(f"64:ff9b::{ip}"),
        ipaddress.IPv6Address(f"64:ff9b:1::{ip}"),
        ipaddress.IPv6Address((0x2002 << 112) | (value << 80)),
        ipaddress.IPv6Address((0x20010000 << 96) | (value ^ 0xFFFFFFFF)),  # Teredo client
    ]


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=12, max_size=140))
def test_a_mask_never_reveals_the_middle_of_a_key(key: str) -> None:
    masked = mask_key(key)
    middle = key[8:-4]
    assert len(middle) < 4 or middle not in masked
    assert len(masked) <= 14


HOSTS = st.one_of(
    domains(),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"),
    st.sampled_from(["", "localhost", "127.1", "2130706433", "[::127.0.0.1]"]),
)
URLS = st.one_of(
    st.text(max_size=300),
    st.builds(
        "{}://{}{}".format,
        st.sampled_from(["https", "HTTPS", "http", "ftp", "javascript"]),
        HOSTS,
        st.sampled_from(["", "/", "/a.jpg", ":8443/a.jpg", "?x=1"]),
    ),
)


@given(URLS)
def test_only_https_host_urls_pass(url: str) -> None:
    """A URL passes only with the https scheme and a host name, never an IP literal."""
    if check_https_url(url) is not None:
        return
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert parts.hostname
    with pytest.raises(ValueError):
        ipaddress.ip_address(parts.hostname)


@given(st.one_of(st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(lambda ip: f"[{ip}]")))
def test_an_ip_literal_host_is_refused(host: str) -> None:
    assert check_https_url(f"https://{host}/a.jpg") is not None


NUMBERS = st.one_of(
    st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.just(1e308), st.just(-5)
)
COUNTED = {
    "video_to_audio": {"model": "mirelo_sfx_2_0", "videoUri": "https://example.com/a.mp4"},
    "sound_effect": {"model": "mirelo_sfx_2_0", "promptText": "rain"},
    "text_to_speech": {
        "model": "eleven_v3",
        "promptText": "hi",
        "voice": {"type": "runway-preset", "presetId": "Maya"},
    },
    "recipes/product_ad": {"version": "2026-07", "productImages": [{"uri": "https://a.io/p.png"}]},
}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(COUNTED)),
    st.dictionaries(st.sampled_from(["duration", "numVariants", "speed", "stability"]), NUMBERS),
)
def test_any_number_a_body_passes_with_is_priced_and_counted_within_bounds(
    endpoint: str, numbers: dict
) -> None:
    """Console and simulator each refuse a number they can't count (1e308, -5, 10**40) on its
    field; what either takes is counted in a duration and a price of sane size, no overflow."""
    body = {**COUNTED[endpoint], **numbers}
    try:
        ENDPOINTS[endpoint].validate(body)
    except Invalid as exc:
        assert exc.errors and all(e.field and e.message for e in exc.errors)
    else:
        assert 0 <= ENDPOINTS[endpoint].duration_of(body) <= MAX_SECONDS
        assert 0 <= estimate_credits(body, endpoint) <= MAX_CREDITS
    try:
        check_schema(endpoint, body)
    except BodyRefused as refused:
        assert refused.issues
    else:
        if endpoint in AUDIO_ENDPOINTS:
            assert 0 < audio.credits(endpoint, body) <= MAX_CREDITS
