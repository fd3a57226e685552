"""URL building for the three kinds of upstream (docs/runway-api.md, "Addresses")."""

import pytest

from app.runway.endpoints import BadAddress, UpstreamKind, resolve_upstream


@pytest.mark.parametrize(
    ("address", "kind", "create_url"),
    [
        ("", UpstreamKind.SIMULATOR, "http://simulator.internal/v1/image_to_video"),
        ("simulator", UpstreamKind.SIMULATOR, "http://simulator.internal/v1/image_to_video"),
        (
            "https://api.dev.runwayml.com",
            UpstreamKind.OFFICIAL,
            "https://api.dev.runwayml.com/v1/image_to_video",
        ),
        (
            "https://api.dev.runwayml.com/v1/",
            UpstreamKind.OFFICIAL,
            "https://api.dev.runwayml.com/v1/image_to_video",
        ),
        (
            "https://api.openai-hk.com",
            UpstreamKind.RELAY,
            "https://api.openai-hk.com/runwayml/v1/image_to_video",
        ),
        (
            "https://api.openai-hk.com/runwayml",
            UpstreamKind.RELAY,
            "https://api.openai-hk.com/runwayml/v1/image_to_video",
        ),
        (
            "https://api.openai-hk.com/runwayml/v1",
            UpstreamKind.RELAY,
            "https://api.openai-hk.com/runwayml/v1/image_to_video",
        ),
        (
            "api.openai-hk.com/",
            UpstreamKind.RELAY,
            "https://api.openai-hk.com/runwayml/v1/image_to_video",
        ),
        (
            "https://relay.example.com/proxy/v1",
            UpstreamKind.RELAY,
            "https://relay.example.com/proxy/runwayml/v1/image_to_video",
        ),
    ],
)
def test_resolve_builds_the_create_url(address: str, kind: UpstreamKind, create_url: str) -> None:
    upstream = resolve_upstream(address)
    assert upstream.kind is kind
    assert upstream.create_url == create_url
    assert upstream.task_url("abc").endswith("/tasks/abc")


def test_only_the_official_host_gets_the_version_header() -> None:
    assert resolve_upstream("https://api.dev.runwayml.com").headers == {
        "X-Runway-Version": "2024-11-06"
    }
    assert resolve_upstream("https://api.openai-hk.com").headers == {}


@pytest.mark.parametrize(
    "address",
    ["ftp://example.com", "https://", "https://user:pw@example.com", "https://x.com/?a=1"],
)
def test_addresses_that_cannot_be_upstreams_are_refused(address: str) -> None:
    with pytest.raises(BadAddress):
        resolve_upstream(address)
