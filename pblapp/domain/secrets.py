"""Tokens and join codes. Tokens are stored only as hashes; a screen link's token is not
stored at all, but made again from the app's secret key and a nonce."""

import base64
import hashlib
import hmac
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


# A screen link's token: "<meeting id>.<32 characters>", the characters being the start of
# the base64url HMAC-SHA256, under the app's secret key, of the meeting and its nonce.
SCREEN_TOKEN_MAC_LENGTH = 32
SCREEN_TOKEN_MAX_LENGTH = 64


def screen_token(secret: str | bytes, meeting_id: int, nonce: str) -> str:
    """The token of a meeting's screen link for ``nonce`` (a new nonce, a new token)."""
    key = secret if isinstance(secret, bytes) else secret.encode("utf-8")
    digest = hmac.new(key, f"screen:{meeting_id}:{nonce}".encode(), hashlib.sha256).digest()
    mac = base64.urlsafe_b64encode(digest).decode("ascii")[:SCREEN_TOKEN_MAC_LENGTH]
    return f"{meeting_id}.{mac}"


def screen_token_meeting(token: str) -> int | None:
    """The meeting id a screen-link token names (not yet checked), or ``None`` if it is
    no such token at all."""
    if not isinstance(token, str) or len(token) > SCREEN_TOKEN_MAX_LENGTH:
        return None
    number, dot, mac = token.partition(".")
    if not dot or not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    if len(mac) != SCREEN_TOKEN_MAC_LENGTH:
        return None
    return int(number)


def screen_token_matches(secret: str | bytes, token: str, meeting_id: int, nonce: str) -> bool:
    """Whether ``token`` is the current token of the meeting's link (in constant time)."""
    expected = screen_token(secret, meeting_id, nonce)
    return hmac.compare_digest(expected.encode("utf-8"), token.encode("utf-8"))
