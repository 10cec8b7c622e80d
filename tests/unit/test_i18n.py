"""Languages: every word a prospect can see has a translation in every catalogue, with the
same placeholders; the browser's language is chosen by its q-values; dates per locale."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from leadrail.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    WIDGET_MESSAGES,
    day_label,
    gettext_for,
    negotiate,
    when_label,
)

SRC = Path(__file__).parents[2] / "src" / "leadrail"
CALL = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def used_ids() -> set[str]:
    """Every message id the templates and the code ask for (``_("...")``)."""
    files = [*(SRC / "web" / "templates").glob("*.html"), *SRC.rglob("*.py")]
    found = set()
    for path in files:
        for literal in CALL.findall(path.read_text()):
            found.add(literal[1:-1].replace("\\'", "'").replace('\\"', '"'))
    return found | set(WIDGET_MESSAGES)


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != "en"])
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "leadrail.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(used_ids() - translated.keys())
    assert not missing, f"{lang}: no translation for {missing}"
    for msgid, text in translated.items():
        assert text, f"{lang}: empty translation of {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(text)), msgid


def test_the_ids_seen_include_the_booking_page_and_the_mail() -> None:
    assert {"Book", "Pick a time", "Invitation: ", "Chat with us"} <= used_ids()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"),
        ("en;q=0.5, es", "es"),
        ("ja, zh;q=0.9", "en"),
        ("de;q=0, fr;q=0.1", "fr"),
        ("", "en"),
        ("de;q=abc, es;q=0.2", "es"),
    ],
)
def test_the_visitors_language_from_accept_language(header: str, expected: str) -> None:
    assert negotiate(header) == expected


def test_dates_and_words_per_locale() -> None:
    start = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert day_label(start, "de", "Europe/Berlin") == "Montag, 30. November"
    assert when_label(start, "Europe/Berlin", "de") == "Montag, 30. November 2026, 15:00"
    assert when_label(start, "America/New_York", "en") == "Monday, November 30, 2026, 9:00\u202fAM"
    assert when_label(start, "Europe/Paris", "fr") == "lundi 30 novembre 2026, 15:00"
    assert when_label(start, "Europe/Madrid", "es") == "lunes, 30 de noviembre de 2026, 15:00"
    assert gettext_for("es")("Book") == "Reservar"
    assert gettext_for("xx")("Book") == "Book"


def test_a_text_of_the_wrong_form_is_explained_in_words_never_as_a_pattern() -> None:
    from leadrail.app.errors import InvalidWorkspace
    from leadrail.app.workspace import parse_workspace

    doc = {"users": [{"email": "not-an-address"}], "routers": [
        {"slug": "Q2 Deals", "title": "Q2", "default": {"user": "a@b.test"}}]}  # fmt: skip
    with pytest.raises(InvalidWorkspace) as caught:
        parse_workspace(doc)
    messages = {p.path: p.message for p in caught.value.problems}
    assert messages["routers[0].slug"] == (
        "use lowercase letters, digits and hyphens, starting with a letter or a digit (63 at most)"
    )
    assert messages["users[0].email"] == "write an e-mail address, like name@example.com"
    assert not any("^" in m or "[" in m for m in messages.values())
