"""The one constant-time comparison of a value a stranger sent with a secret the console holds.

`hmac.compare_digest` compares `str` only when both are ASCII and raises TypeError otherwise, so
a token, signature or CSRF value with an `é` in it became a 500. Every comparison with a token,
signature, tag or password goes through `same_secret`, which compares the UTF-8 bytes.

A header is the exception: it arrives as bytes and the server hands it on decoded as latin-1,
so its UTF-8 would be the UTF-8 of that decoding, and a password with an `é` sent as a bearer
would never match. `header_bytes` gives back the bytes that were sent, for `same_secret` to
compare with the UTF-8 of the secret.
"""

import hmac


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def same_secret(sent: str | bytes, expected: str | bytes) -> bool:
    """Whether `sent` is `expected`, in time that does not depend on where they differ."""
    return hmac.compare_digest(_bytes(sent), _bytes(expected))


def header_bytes(text: str) -> bytes:
    """The bytes a header carried, from the latin-1 text the server made of them."""
    return text.encode("latin-1")
