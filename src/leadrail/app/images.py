"""Images leadrail keeps and serves itself: the workspace logo and the reps' photos.

An upload is checked by its bytes (PNG, JPEG, WebP or GIF; never SVG, which can carry
script) and its size; it is served back with the type found here, ``nosniff`` and a policy
that runs nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from leadrail.app.errors import InvalidInput

MAX_BYTES = 1024 * 1024
LOGO = "logo"
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class Image:
    content_type: str
    data: bytes
    updated_at: datetime


class ImageStore(Protocol):
    def image(self, key: str) -> Image | None: ...

    def present(self, keys: list[str]) -> dict[str, datetime]: ...  # key -> updated_at

    def put(self, key: str, image: Image) -> None: ...

    def delete(self, key: str) -> bool: ...


def rep_key(email: str) -> str:
    """A rep's photo key: opaque, so a page's image address never shows the rep's e-mail."""
    return "rep-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def image_type(data: bytes) -> str | None:
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def checked(data: bytes, now: datetime, *, field: str) -> Image:
    """An upload as an Image, or InvalidInput naming ``field`` and saying why in words."""
    if not data:
        raise InvalidInput("choose an image file to upload", field=field)
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            f"the image is {len(data) // 1024} KB: at most {MAX_BYTES // 1024} KB, please",
            field=field,
        )
    kind = image_type(data)
    if kind is None:
        raise InvalidInput("use a PNG, JPEG, WebP or GIF image", field=field)
    return Image(kind, data, now)


def url(key: str, present: dict[str, datetime]) -> str | None:
    """The image's address (its time in it, so a new upload shows at once), or None."""
    when = present.get(key)
    return f"/img/{key}?v={int(when.timestamp())}" if when else None


def logo_address(store: ImageStore, base_url: str) -> str | None:
    """The workspace logo's absolute address (for e-mails), or None without a logo."""
    found = url(LOGO, store.present([LOGO]))
    return f"{base_url.rstrip('/')}{found}" if found else None
