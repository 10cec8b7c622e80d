"""Form leads: lead categories, stores and destinations."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from leadrail.app.workspace.common import (
    EMAIL,
    Doc,
    EnvName,
    Name,
    check_outbound,
)


class DestinationDoc(Doc):
    """Where a lead goes: an e-mail address (adf, text, html) or a webhook URL (json). A
    webhook's signing secret ("whsec_...") is read from the environment variable named by
    ``secret_env`` (LEADRAIL_CRED_...); it is never in the file."""

    address: str = Field(min_length=3, max_length=2000)
    format: Literal["adf", "text", "html", "json"] = "adf"
    secret_env: EnvName | None = None
    attach_xml: bool = False  # adf: also attach the document as lead.xml

    @field_validator("address")
    @classmethod
    def _webhook(cls, v: str, info: ValidationInfo) -> str:
        if re.match(r"^https?://", v, re.IGNORECASE):
            check_outbound(v, info)
        return v

    @model_validator(mode="after")
    def _address(self) -> DestinationDoc:
        if self.format == "json":
            if not re.match(r"^https?://[^\s/?#]+", self.address):
                raise ValueError("a json destination's address is an http(s) webhook URL")
        elif not re.match(EMAIL, self.address):
            raise ValueError(f"a {self.format} destination's address is an e-mail address")
        return self


class CategoryDoc(Doc):
    name: Name
    destinations: list[DestinationDoc] = Field(default_factory=list)


class StoreDoc(Doc):
    name: Name
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    postal_code: str | None = None
    categories: dict[str, list[DestinationDoc]] = Field(default_factory=dict)
