"""How the workspace presents itself to prospects: its company name and accent colour on the
booking, cancel, reschedule and confirmation pages and in e-mails (the logo is an uploaded
image, kept by leadrail), and the language of e-mails to reps."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from leadrail.app.workspace.common import Doc

Language = Literal["en", "de", "fr", "es"]
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class BrandingDoc(Doc):
    company_name: str = Field(default="", max_length=120)
    accent_color: str = ""  # #rrggbb; empty: leadrail's blue

    @field_validator("company_name")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if any(ch in v for ch in "\r\n\t\x00"):
            raise ValueError("write the company name on one line")
        return v.strip()

    @field_validator("accent_color")
    @classmethod
    def _colour(cls, v: str) -> str:
        v = v.strip().lower()
        if v and not COLOUR.fullmatch(v):
            raise ValueError("write the colour as # and six hex digits, e.g. #0b7a75")
        return v
