"""Passwords users type are kept encrypted and bound to their user and server; secrets from
the environment come only from LEADRAIL_CRED_ variables; a rep's calendar form never names
a variable and never carries a stored password to another server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadrail.adapters.credentials import (
    CredentialBox,
    CredentialRefused,
    CredentialUnreadable,
    env_credential,
)
from leadrail.app.calendar_form import CalendarInput, CalendarInputProblem, calendar_settings
from leadrail.app.workspace import CalendarDoc

URL = "https://dav.example.com/cal/bo/work/"
BOX = CredentialBox("k" * 32)


@given(st.text(min_size=1, max_size=200))
def test_a_typed_password_opens_for_its_user_and_server_only(password: str) -> None:
    token = BOX.seal(password, "bo@acme.test", URL)
    assert BOX.open(token, "BO@acme.test", "https://dav.example.com:443/other/path/") == password
    for owner, url in (("ana@acme.test", URL), ("bo@acme.test", "https://evil.test/cal/")):
        with pytest.raises(CredentialUnreadable):
            BOX.open(token, owner, url)
    with pytest.raises(CredentialUnreadable):
        CredentialBox("another server secret").open(token, "bo@acme.test", URL)


def test_the_same_password_seals_differently_each_time_and_fits_the_document() -> None:
    clear = "correct horse battery staple"
    one, two = BOX.seal(clear, "bo@acme.test", URL), BOX.seal(clear, "bo@acme.test", URL)
    assert one != two
    assert clear not in one
    assert "correct" not in one
    doc = CalendarDoc.model_validate({"provider": "caldav", "url": URL, "password_encrypted": one})
    assert doc.password_encrypted == one
    assert "k" * 32 not in repr(BOX)


def test_the_key_comes_from_the_server_secret_when_first_needed() -> None:
    asked: list[int] = []

    def secret() -> str:
        asked.append(1)
        return "from the database"

    box = CredentialBox(secret)
    assert asked == []
    assert box.open(box.seal("pw", "bo@acme.test", URL), "bo@acme.test", URL) == "pw"
    assert asked == [1]


@pytest.mark.parametrize(
    "name",
    ["LEADRAIL_SECRET_KEY", "LEADRAIL_DATABASE_URL", "LEADRAIL_SMTP_PASSWORD", "HOME", "AWS_KEY"],
)
def test_only_credential_variables_are_read(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, "server secret")
    with pytest.raises(CredentialRefused, match="LEADRAIL_CRED_"):
        env_credential(name, "calendar.password_env")
    monkeypatch.setenv("LEADRAIL_CRED_BO", "bo's password")
    assert env_credential("LEADRAIL_CRED_BO", "calendar.password_env") == "bo's password"


class Sealer:
    def seal(self, secret: str, owner: str, url: str) -> str:
        return f"v1.sealed-{secret}-{owner}"


ADMIN_SET = {"provider": "caldav", "url": URL, "username": "bo", "password_env": "LEADRAIL_CRED_BO"}


def rep(**typed: str | bool) -> CalendarInput:
    fields = {"provider": "caldav", "url": URL, "username": "bo", **typed}
    return CalendarInput(**fields)  # type: ignore[arg-type]


def test_a_rep_types_a_password_and_never_names_a_variable() -> None:
    saved = calendar_settings(None, rep(password="pw"), "bo@acme.test", Sealer())
    assert saved == {**rep_cal(), "password_encrypted": "v1.sealed-pw-bo@acme.test"}
    # the rep's form has no password_env: even a posted one never reaches CalendarInput
    assert rep().password_env is None


def rep_cal() -> dict[str, str]:
    return {"provider": "caldav", "url": URL, "username": "bo"}


def test_an_admin_set_credential_stays_only_on_its_server() -> None:
    same = calendar_settings(ADMIN_SET, rep(url=URL + "sub/"), "bo@acme.test", Sealer())
    assert same is not None
    assert same["password_env"] == "LEADRAIL_CRED_BO"
    with pytest.raises(CalendarInputProblem) as caught:
        calendar_settings(ADMIN_SET, rep(url="https://rep-owned.test/"), "bo@acme.test", Sealer())
    assert caught.value.field == "calendar.password"
    moved = calendar_settings(
        ADMIN_SET, rep(url="https://rep-owned.test/", forget=True), "bo@acme.test", Sealer()
    )
    assert moved == {"provider": "caldav", "url": "https://rep-owned.test/", "username": "bo"}


def test_an_admin_names_a_variable_or_types_a_password_not_both() -> None:
    admin = CalendarInput("caldav", URL, "bo", password_env="LEADRAIL_CRED_BO")
    assert calendar_settings(None, admin, "bo@acme.test", Sealer()) == ADMIN_SET
    both = CalendarInput("caldav", URL, "bo", password="pw", password_env="LEADRAIL_CRED_BO")
    with pytest.raises(CalendarInputProblem):
        calendar_settings(None, both, "bo@acme.test", Sealer())
    assert calendar_settings(ADMIN_SET, CalendarInput("builtin"), "bo@acme.test", Sealer()) is None
