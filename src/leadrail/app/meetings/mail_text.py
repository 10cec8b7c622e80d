"""The words of an invitation e-mail, in the reader's language and zone: the subject, the
plain text, and an HTML part in the workspace's colours (everything typed is escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from leadrail.app.meetings.invite import Invite, Method
from leadrail.app.workspace import BrandingDoc
from leadrail.i18n import gettext_for, when_label

DEFAULT_ACCENT = "#1f5eff"


@dataclass(frozen=True)
class MailText:
    subject: str
    text: str
    html: str


def invite_text(
    invite: Invite, method: Method, lang: str, brand: BrandingDoc, logo_url: str | None = None
) -> MailText:
    _ = gettext_for(lang)
    cancelled = method == "CANCEL"
    when = f"{when_label(invite.start, invite.tz, lang)} ({invite.tz})"
    line = (_("Cancelled: %(when)s") if cancelled else _("When: %(when)s")) % {"when": when}
    prefix = _("Cancelled: ") if cancelled else _("Invitation: ")
    company = brand.company_name
    subject = prefix + invite.summary + (f" · {company}" if company else "")
    text = f"{invite.summary}\n{line}\n\n{invite.description}\n"
    if company:
        text += f"\n{company}\n"
    accent = brand.accent_color or DEFAULT_ACCENT
    links = ""
    if not cancelled:
        buttons = ((invite.reschedule_url, _("Reschedule")), (invite.cancel_url, _("Cancel")))
        links = " ".join(
            f'<a href="{escape(url)}" style="color:{accent}">{escape(name)}</a>'
            for url, name in buttons
            if url
        )
    header = (
        f'<img src="{escape(logo_url)}" alt="{escape(company)}" style="max-height:40px">'
        if logo_url
        else f"<strong>{escape(company)}</strong>"
        if company
        else ""
    )
    notes = invite.description.rpartition("\n\n")[0]  # the prospect's notes, before the links
    html = (
        f'<!doctype html><html lang="{escape(lang)}"><body style="font-family:sans-serif">'
        f"{header}"
        f'<h1 style="font-size:18px;color:{accent}">{escape(invite.summary)}</h1>'
        f"<p><strong>{escape(line)}</strong></p>"
        + (f'<p style="white-space:pre-wrap">{escape(notes)}</p>' if notes else "")
        + (f"<p>{links}</p>" if links else "")
        + "</body></html>"
    )
    return MailText(subject, text, html)
