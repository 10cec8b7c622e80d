from __future__ import annotations

import pytest

from leadrail.routing.errors import ProspectError
from leadrail.routing.normalise import (
    FREE_MAIL_DOMAINS,
    domain_of,
    is_free_mail,
    normalise_domain,
    normalise_email,
    normalise_prospect,
)


@pytest.mark.parametrize(
    ("raw", "strip", "expected"),
    [
        ("adrien+1@distro.so", True, "adrien@distro.so"),
        ("adrien+1@distro.so", False, "adrien+1@distro.so"),
        ("  Ana.Ruiz@ACME.test ", False, "ana.ruiz@acme.test"),
        ("a+b+c@x.test", True, "a@x.test"),
        ("+only@x.test", True, "+only@x.test"),  # nothing left to keep: unchanged
        ("", True, ""),
        ("   ", False, ""),
    ],
)
def test_normalise_email(raw: str, strip: bool, expected: str) -> None:
    assert normalise_email(raw, strip=strip) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "no-at-sign.test",
        "two@@x.test",
        "a@b@x.test",
        "@x.test",
        "ana@localhost",
        "ana@x..test",
        "ana@.x.test",
        "ana@x.test.",
        "ana ruiz@x.test",
    ],
)
def test_implausible_emails_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ProspectError) as caught:
        normalise_email(raw, strip=False)
    assert caught.value.field == "email"
    assert str(caught.value).startswith("email: ")


def test_domain_of_and_free_mail() -> None:
    assert domain_of("ana@BigCo.test") == "bigco.test"
    assert domain_of("") == ""
    assert is_free_mail("gmail.com")
    assert is_free_mail("GMAIL.COM")
    assert not is_free_mail("bigco.test")
    assert not is_free_mail("mail.gmail.com")  # exact names only
    assert len(FREE_MAIL_DOMAINS) >= 60
    for name in ("googlemail.com", "yahoo.fr", "hotmail.co.uk", "proton.me", "gmx.de", "qq.com"):
        assert name in FREE_MAIL_DOMAINS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.BigCo.test/about?x=1", "bigco.test"),
        ("http://bigco.test:8080", "bigco.test"),
        ("www.bigco.test", "bigco.test"),
        ("sub.bigco.test/", "sub.bigco.test"),
        ("bigco.test.", "bigco.test"),
        ("n/a", ""),
        ("", ""),
    ],
)
def test_normalise_domain(raw: str, expected: str) -> None:
    assert normalise_domain(raw) == expected


def test_prospect_fields_are_flat_lower_case_strings() -> None:
    p = normalise_prospect(
        {
            " Email ": "Adrien+1@Distro.so",
            "Employee_Count": 250,
            "revenue": 1.5,
            "crm": {"has_owner": True, "tier": {"level": "A"}},
            "phone": None,
            "name": "  Adrien  ",
        },
        strip_emails=True,
    )
    assert p.email == "adrien@distro.so"
    assert p.domain == "distro.so"
    assert p.free_mail is False
    assert dict(p.fields) == {
        "email": "adrien@distro.so",
        "domain": "distro.so",
        "free_mail": "false",
        "employee_count": "250",
        "revenue": "1.5",
        "crm.has_owner": "true",
        "crm.tier.level": "A",
        "name": "Adrien",
    }
    assert p.get("EMPLOYEE_COUNT") == "250"


def test_free_mail_prospect() -> None:
    p = normalise_prospect({"email": "someone@gmail.com"}, strip_emails=False)
    assert (p.domain, p.free_mail, p.get("free_mail")) == ("gmail.com", True, "true")


def test_domain_comes_from_the_email_first_then_domain_then_website() -> None:
    both = normalise_prospect({"email": "a@bigco.test", "domain": "other.test"}, strip_emails=False)
    assert both.domain == "bigco.test"
    site = normalise_prospect({"website": "https://www.MegaCorp.test/"}, strip_emails=False)
    assert (site.email, site.domain, site.get("domain")) == ("", "megacorp.test", "megacorp.test")
    bad = normalise_prospect({"domain": "n/a", "website": "bigco.test"}, strip_emails=False)
    assert bad.domain == "bigco.test"
    none = normalise_prospect({"name": "Ana"}, strip_emails=False)
    assert (none.email, none.domain, none.get("email"), none.get("domain")) == ("", "", None, None)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"first name": "Ana"}, "first name"),
        ({"": "x"}, ""),
        ({"x" * 65: "y"}, "x" * 65),
        ({"naïve": "y"}, "naïve"),
        ({"tags": ["a", "b"]}, "tags"),
        ({"notes": "x" * 2001}, "notes"),
        ({"email": "not-an-email"}, "email"),
        ({"score": float("nan")}, "score"),
        ({"crm": {"bad key": 1}}, "crm.bad key"),
        ({"email": "a@x.test", "EMAIL": "b@x.test"}, "email"),
    ],
)
def test_bad_prospect_input_names_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(ProspectError) as caught:
        normalise_prospect(raw, strip_emails=False)
    assert caught.value.field == field


def test_values_up_to_the_cap_are_kept() -> None:
    p = normalise_prospect({"notes": "x" * 2000}, strip_emails=False)
    assert p.get("notes") == "x" * 2000
