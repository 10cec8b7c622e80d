"""What every section of the workspace document shares: names, e-mails, slugs, credential
names, outbound URLs, timezones."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
)

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def lower_text(v: object) -> object:
    return v.strip().lower() if isinstance(v, str) else v


Email = Annotated[str, BeforeValidator(lower_text), Field(pattern=EMAIL, max_length=254)]
Slug = Annotated[str, Field(pattern=SLUG)]
Name = Annotated[str, Field(min_length=1, max_length=120)]


# Secrets are never in the document: it names environment variables that hold them, and only
# names with this prefix, so no setting of the server itself (LEADRAIL_SECRET_KEY,
# LEADRAIL_DATABASE_URL, ...) can be sent anywhere as a credential.
CREDENTIAL_PREFIX = "LEADRAIL_CRED_"
STORED = {"stored": True}  # validation context: a document read back from the database
URL_CHECK = "outbound_url_problem"  # validation context key: Callable[[str], str | None]


def is_credential_name(name: str) -> bool:
    return re.fullmatch(CREDENTIAL_PREFIX + r"[A-Z0-9_]{1,50}", name) is not None


def check_env_name(v: str, info: ValidationInfo) -> str:
    if not re.fullmatch(r"[A-Z_][A-Z0-9_]{0,63}", v):
        raise ValueError(
            "the name of an environment variable (capital letters, digits, _), never the "
            "secret itself"
        )
    if not is_stored(info) and not is_credential_name(v):
        raise ValueError(
            f"must start with {CREDENTIAL_PREFIX} (server settings cannot be used as credentials)"
        )
    return v


EnvName = Annotated[str, AfterValidator(check_env_name)]


def is_stored(info: ValidationInfo) -> bool:
    """Read back from the database: rules added since it was saved are checked where the
    value is used, so an upgrade never makes the stored workspace unreadable."""
    return bool(info.context and info.context.get("stored"))


def check_outbound(url: str | None, info: ValidationInfo) -> None:
    """A user-typed URL leadrail will call: refused when it names a non-public address or a
    local network name (the operator's allow-list decides; ``URL_CHECK`` in the context)."""
    check: Callable[[str], str | None] | None = (info.context or {}).get(URL_CHECK)
    problem = check(url) if check is not None and url else None
    if problem:
        raise ValueError(problem)


def url_origin(url: str) -> str:
    """``scheme://host:port`` of a URL (lowercase, default ports made explicit)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = 0
    return f"{scheme}://{(parts.hostname or '').rstrip('.')}:{port}"


def check_timezone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {v!r} (use an IANA name such as Europe/Paris)"
        ) from None
    return v


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
