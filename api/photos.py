"""Survey photos told by their whole content, not their first bytes or the client's word.

A PNG must be a well-formed chunk sequence (every CRC right) ending at ``IEND`` with nothing
after it and no markup in its text chunks; a JPEG must run from its start marker to its end
marker with nothing after it. A PNG/HTML polyglot (markup after ``IEND`` or in a text chunk)
is refused; photos are also served with ``X-Content-Type-Options: nosniff`` and a sandboxing
Content-Security-Policy (:data:`SAFE_HEADERS`), so no browser runs what an image carries.
"""

from __future__ import annotations

import struct
import zlib

__all__ = ["SAFE_HEADERS", "photo_type"]

SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT = (b"tEXt", b"zTXt", b"iTXt")
_MARKUP = (b"<", b"&#")


def _png_ok(data: bytes) -> bool:
    at = len(_PNG)
    first = True
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        if len(body) != length or (first and kind != b"IHDR"):
            return False
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length] or b"\0\0\0\0")
        if crc != zlib.crc32(kind + body):
            return False
        if kind in _PNG_TEXT and any(mark in body for mark in _MARKUP):
            return False
        at += 12 + length
        first = False
        if kind == b"IEND":
            return at == len(data)
    return False


def _jpeg_ok(data: bytes) -> bool:
    return data.startswith(b"\xff\xd8\xff") and data.endswith(b"\xff\xd9") and not any(
        mark in data[-64:] for mark in _MARKUP
    )


def photo_type(data: bytes) -> tuple[str, str] | None:
    """``(suffix, media type)`` of a well-formed PNG or JPEG; ``None`` for anything else."""
    if data.startswith(_PNG):
        return (".png", "image/png") if _png_ok(data) else None
    if data.startswith(b"\xff\xd8\xff"):
        return (".jpg", "image/jpeg") if _jpeg_ok(data) else None
    return None
