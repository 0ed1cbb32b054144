"""Uploaded images: recognised by their first bytes, never by their file name."""

from __future__ import annotations

import hashlib

from pblapp.domain.errors import DomainError

IMAGE_MAX_BYTES = 5 * 1024 * 1024
MIME_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def image_kind(data: bytes) -> str:
    """``png``, ``jpeg`` or ``webp`` from the file's signature; anything else is refused."""
    if len(data) > IMAGE_MAX_BYTES:
        raise DomainError("image_too_large", "An image may be at most 5 MB.", status=413)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise DomainError("unsupported_image", "Upload a PNG, JPEG or WebP image.", status=415)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
