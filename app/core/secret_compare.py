"""The one constant-time comparison of a value a stranger sent with a secret the console holds.

`hmac.compare_digest` compares `str` only when both are ASCII and raises TypeError otherwise, so
a token, signature or CSRF value with an `é` in it became a 500. Every comparison with a token,
signature, tag or password goes through `same_secret`, which compares the UTF-8 bytes.
"""

import hmac


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def same_secret(sent: str | bytes, expected: str | bytes) -> bool:
    """Whether `sent` is `expected`, in time that does not depend on where they differ."""
    return hmac.compare_digest(_bytes(sent), _bytes(expected))
