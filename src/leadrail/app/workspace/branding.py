"""How the workspace presents itself to prospects: its company name and accent colour on the
booking, cancel, reschedule and confirmation pages and in e-mails (the logo is an uploaded
image, kept by leadrail), and the language of e-mails to reps."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from leadrail.app.workspace.common import Doc

Language = Literal["en", "de", "fr", "es"]


class BrandingDoc(Doc):
    company_name: str = Field(default="", max_length=120)
    accent_color: str = Field(
        default="",
        pattern=r"^(#[0-9a-fA-F]{6})?$",
        description="a colour as #rrggbb, e.g. #0b7a75",
    )
