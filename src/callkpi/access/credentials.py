"""Argon2id password hashes, and random bearer tokens and API keys stored as SHA-256 digests.

A token or key is 32 random bytes: a fast digest is enough to store it (nothing to brute-force),
whereas a password is low-entropy and gets Argon2id, slow on purpose.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # Argon2id, RFC 9106's second recommended parameters
#: Verified against when the user does not exist, so a login takes as long either way.
_DUMMY_HASH = _HASHER.hash("callkpi: no such user")
MIN_PASSWORD_LENGTH = 10
API_KEY_PREFIX = "ckk_"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; never raises, and costs the same for unknown users."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
