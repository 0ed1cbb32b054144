"""Tokens and join codes. Tokens are stored only as hashes."""

import hashlib
import secrets

# No look-alikes: no I, L, O, 0 or 1.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens carry 256 bits of chance, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(code: str) -> str:
    """Join codes are case-insensitive and forgive spaces and dashes typed on a phone."""
    return "".join(ch for ch in code.upper() if ch.isalnum())
