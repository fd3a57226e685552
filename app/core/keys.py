"""Key handling: masking for display and owner ids for scoping history.

A personal key lives in the browser; the server holds it for one request. What may be stored
or shown is only its mask or an HMAC of it.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

ANONYMOUS_OWNER = "anonymous"
OPERATOR_OWNER = "operator"
OWNER_PREFIX = "member:"  # a member's owner id: member:<name>


@dataclass(frozen=True)
class Caller:
    """Who is asking: the personal key for this request (if any) and the owner it maps to."""

    key: str | None
    owner: str


def mask_key(key: str | None) -> str:
    """`hk-…a1b2`: enough to recognise a key, never enough to use it."""
    if not key:
        return ""
    prefix = key.split("-", 1)[0] + "-" if "-" in key[:8] else key[:2]
    prefix = prefix if len(prefix) <= 8 else key[:2]
    tail = key[-4:] if len(key) >= 12 else ""
    return f"{prefix}…{tail}"


def owner_of(key: str | None, secret: bytes, *, operator: bool = False) -> str:
    """Who a task belongs to: an HMAC of the personal key, or the operator / anonymous owner."""
    if key:
        digest = hmac.digest(secret, key.encode(), "sha256").hex()  # one C call per request
        return f"key:{digest[:32]}"
    return OPERATOR_OWNER if operator else ANONYMOUS_OWNER


def address_scope(secret: bytes, address: str, purpose: str) -> str:
    """A client address as a scope a daily cap counts (`address:<HMAC>`): never the address
    itself, which is personal data, and one rule for every cap kept per address."""
    digest = hmac.digest(secret, f"{purpose}:{address}".encode(), "sha256").hex()
    return f"address:{digest[:32]}"


def load_or_create_secret(configured: str | None, data_dir: Path) -> bytes:
    """The server secret: configured, or generated once into the data dir and kept."""
    if configured:
        return configured.encode()
    return secret_file(data_dir / "secret.key")


def secret_file(path: Path) -> bytes:
    """A random secret kept in a file: made once, readable by this user alone (mode 0600)."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode()
    path.touch(mode=0o600)
    path.write_bytes(value)
    return value


def media_token(secret: bytes, task_id: str, owner: str) -> str:
    """A capability for one task's video: a <video> element cannot send the key header."""
    message = f"media:{task_id}:{owner}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def member_name(owner: str) -> str | None:
    """The member an owner id belongs to, or None for keys, the operator and anonymous."""
    return owner[len(OWNER_PREFIX) :] if owner.startswith(OWNER_PREFIX) else None
