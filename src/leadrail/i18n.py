"""Languages of what prospects read (booking pages, e-mails, invitations, the chat widget).

Catalogues are gettext ``.po`` files in ``leadrail/locale/<lang>/LC_MESSAGES/leadrail.po``,
read with Babel when first needed (no compile step: a fresh clone works as it is). The message
ids are the English text. Dates and times are formatted for the locale with Babel. Adding a
language: copy ``de``'s file to ``locale/<lang>/LC_MESSAGES/leadrail.po``, translate the
``msgstr`` lines and add the language to ``LANGUAGES``.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "leadrail"
DEFAULT = "en"
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}

Gettext = Callable[[str], str]


# Babel's formatting costs tens of microseconds a call and a booking page shows hundreds of
# times: each label is computed once per (instant, zone, language) and kept.
LABELS = 65536


def supported(lang: str | None) -> str | None:
    """``lang`` (``de``, ``de-AT``, ``de_AT``) as one of LANGUAGES, or None."""
    if not lang:
        return None
    base = lang.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def negotiate(accept_language: str | None, default: str = DEFAULT) -> str:
    """The best of LANGUAGES for an ``Accept-Language`` header (RFC 9110 q-values)."""
    ranked: list[tuple[float, int, str]] = []
    for i, item in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        lang = supported(tag)
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return sorted(ranked)[0][2] if ranked else default


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (English: the ids themselves)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT or lang not in LANGUAGES or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext_for(lang: str) -> Gettext:
    return translations(supported(lang) or DEFAULT).gettext


def _local(start: datetime, tz: str) -> datetime:
    return start.astimezone(ZoneInfo(tz))


@lru_cache(maxsize=LABELS)
def day_label(start: datetime | date, lang: str, tz: str | None = None) -> str:
    """``Monday, November 30`` / ``Montag, 30. November``."""
    value = _local(start, tz) if isinstance(start, datetime) and tz else start
    weekday = format_date(value, "EEEE", locale=lang)
    return f"{weekday}, {format_skeleton('MMMMd', value, locale=lang)}"


@lru_cache(maxsize=LABELS)
def time_label(start: datetime, tz: str, lang: str) -> str:
    """``9:00 AM`` / ``09:00``."""
    return format_time(_local(start, tz), format="short", locale=lang)


@lru_cache(maxsize=LABELS)
def when_label(start: datetime, tz: str, lang: str) -> str:
    """The full date and time: ``Monday, November 30, 2026, 9:00 AM`` /
    ``Montag, 30. November 2026, 09:00``."""
    local = _local(start, tz)
    day = format_date(local, format="full", locale=lang)
    return f"{day}, {format_time(local, format='short', locale=lang)}"


@lru_cache(maxsize=LABELS)
def month_label(day: date, lang: str) -> str:
    return format_skeleton("yMMMM", day, locale=lang)


def week_days(lang: str) -> list[tuple[int, str, str]]:
    """The days of a week for a month calendar, starting on the locale's first day:
    (weekday 0=Monday, short name, full name)."""
    first = Locale.parse(lang).first_week_day
    short = get_day_names("abbreviated", locale=lang)
    full = get_day_names("wide", locale=lang)
    order = [(first + i) % 7 for i in range(7)]
    return [(d, str(short[d]), str(full[d])) for d in order]


# The chat widget's own words (its script asks for them in the visitor's language).
WIDGET_MESSAGES = (
    "Chat with us", "Close chat", "Messages", "Your message", "Type a message", "Send",
    "Start a new chat", "Waiting for someone…", "You are chatting with %(name)s", "us",
    "Nobody is available right now.", "This chat has ended.", "Not sent: ", "Book a meeting",
    "Leave a message", "Your name", "Your e-mail", "Message",
    "Thanks! We will get back to you.", "A few questions", "Thanks!", "Connecting…",
)  # fmt: skip


def widget_strings(lang: str) -> dict[str, str]:
    """The chat widget's words in ``lang`` (English: none, the script has them)."""
    if lang == DEFAULT:
        return {}
    _ = gettext_for(lang)
    return {m: _(m) for m in WIDGET_MESSAGES}
