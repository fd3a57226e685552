"""Key masking and owner ids: what may be shown or stored instead of a key."""

from pathlib import Path

import pytest

from app.core.keys import load_or_create_secret, mask_key, owner_of


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        ("hk-0123456789abcdefa1b2", "hk-…a1b2"),
        ("key_" + "ab" * 64, "ke…abab"),
        ("short", "sh…"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_shows_only_a_prefix_and_the_last_four(key: str | None, masked: str) -> None:
    assert mask_key(key) == masked


def test_mask_never_contains_the_secret_middle() -> None:
    key = "hk-SECRETSECRETSECRETa1b2"
    assert "SECRET" not in mask_key(key)


def test_owner_is_an_hmac_that_differs_per_key_and_secret() -> None:
    one = owner_of("hk-aaaa", b"s1")
    assert one == owner_of("hk-aaaa", b"s1")
    assert one != owner_of("hk-bbbb", b"s1")
    assert one != owner_of("hk-aaaa", b"s2")
    assert "hk-aaaa" not in one
    assert owner_of(None, b"s1") == "anonymous"
    assert owner_of(None, b"s1", operator=True) == "operator"


def test_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_or_create_secret(None, tmp_path)
    assert first == load_or_create_secret(None, tmp_path)
    assert load_or_create_secret("configured", tmp_path) == b"configured"
