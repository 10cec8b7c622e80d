"""Prospect normalisation: one clean, flat, lower-case view of whatever a front door received."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from decimal import Decimal

from leadrail.routing.errors import ProspectError
from leadrail.routing.model import Prospect

FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        # Google, Microsoft, Apple, Yahoo, AOL
        "gmail.com", "googlemail.com",
        "outlook.com", "outlook.fr", "outlook.de", "hotmail.com", "hotmail.co.uk",
        "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es", "live.com", "live.co.uk",
        "live.fr", "msn.com", "passport.com",
        "icloud.com", "me.com", "mac.com",
        "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.es", "yahoo.it",
        "yahoo.co.jp", "yahoo.com.br", "yahoo.co.in", "ymail.com", "rocketmail.com",
        "aol.com", "aim.com",
        # privacy-minded and independent providers
        "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com", "tuta.io",
        "fastmail.com", "fastmail.fm", "hey.com", "zoho.com", "zohomail.com", "mail.com",
        "email.com", "hushmail.com", "posteo.de", "mailbox.org", "runbox.com",
        # Europe
        "gmx.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.fr", "web.de", "t-online.de",
        "freenet.de", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr",
        "libero.it", "virgilio.it", "btinternet.com", "sky.com", "seznam.cz", "wp.pl",
        "onet.pl", "o2.pl",
        # Russia and Asia
        "yandex.ru", "yandex.com", "ya.ru", "mail.ru", "bk.ru", "inbox.ru", "list.ru",
        "rambler.ru", "qq.com", "163.com", "126.com", "yeah.net", "sina.com", "naver.com",
        "hanmail.net", "daum.net", "rediffmail.com",
        # Americas and Oceania
        "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "cox.net", "charter.net",
        "bellsouth.net", "earthlink.net", "optonline.net", "shaw.ca", "rogers.com",
        "sympatico.ca", "bigpond.com", "uol.com.br", "bol.com.br", "terra.com.br",
    }
)  # fmt: skip

_FIELD_NAME = re.compile(r"[a-z0-9_.-]{1,64}")
_MAX_VALUE = 2000
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def normalise_email(raw: str, *, strip: bool) -> str:
    """Trim and lower-case an e-mail address; with ``strip``, drop the local part's
    ``+suffix``. ``""`` stays ``""`` (the e-mail is unknown); anything else that is not a
    plausible address raises ProspectError("email", ...)."""
    email = raw.strip().lower()
    if not email:
        return ""
    if any(c.isspace() for c in email):
        raise ProspectError("email", f"{raw.strip()!r} is not an e-mail address (it has spaces)")
    local, sep, domain = email.partition("@")
    if not sep or "@" in domain:
        raise ProspectError("email", f"{raw.strip()!r} is not an e-mail address (one '@')")
    if not local:
        raise ProspectError("email", f"{raw.strip()!r} has nothing before the '@'")
    if not _plausible_domain(domain):
        raise ProspectError("email", f"{raw.strip()!r} does not end with a valid domain")
    if strip:
        base = local.split("+", 1)[0]
        local = base or local
    return f"{local}@{domain}"


def domain_of(email: str) -> str:
    """The part after the '@' (lower-case), or ``""`` when there is none."""
    _, sep, domain = email.strip().lower().rpartition("@")
    return domain if sep else ""


def is_free_mail(domain: str) -> bool:
    """True for the registered free-mail domains only (exact match, not their subdomains)."""
    return domain.strip().lower().rstrip(".") in FREE_MAIL_DOMAINS


def normalise_domain(raw: str) -> str:
    """``https://www.BigCo.test:443/about`` -> ``bigco.test``; ``""`` when not a domain."""
    text = _SCHEME.sub("", raw.strip().lower())
    for stop in "/?#":
        text = text.split(stop, 1)[0]
    text = text.rpartition("@")[2].split(":", 1)[0].rstrip(".")
    text = text.removeprefix("www.")
    return text if _plausible_domain(text) else ""


def normalise_prospect(raw: Mapping[str, object], *, strip_emails: bool) -> Prospect:
    """Flatten ``raw`` into lower-case string fields and derive ``email``, ``domain`` and
    ``free_mail``. Nested mappings become dotted names (``crm.has_owner``); ``None`` values are
    dropped; lists are refused. A ``domain`` or ``website`` field gives the domain when there is
    no e-mail; one that does not hold a domain is kept as given but derives nothing."""
    fields: dict[str, str] = {}
    _flatten(raw, "", fields)
    email = normalise_email(fields.get("email", ""), strip=strip_emails)
    domain = domain_of(email)
    for source in ("domain", "website"):
        domain = domain or normalise_domain(fields.get(source, ""))
    for name, value in (("email", email), ("domain", domain)):
        if value:
            fields[name] = value
        else:
            fields.pop(name, None)
    free_mail = is_free_mail(domain) if domain else False
    fields["free_mail"] = "true" if free_mail else "false"
    return Prospect(email=email, domain=domain, free_mail=free_mail, fields=fields)


def _flatten(raw: Mapping[str, object], prefix: str, out: dict[str, str]) -> None:
    for key, value in raw.items():
        name = prefix + str(key).strip().lower()
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out)
            continue
        if value is None:
            continue
        if not _FIELD_NAME.fullmatch(name):
            raise ProspectError(name, "a field name has 1 to 64 letters, digits, '_', '.' or '-'")
        if name in out:
            raise ProspectError(name, "the field is given twice")
        out[name] = _text(name, value)


def _text(name: str, value: object) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, (numbers.Real, Decimal)):
        if not math.isfinite(value):
            raise ProspectError(name, f"{value!r} is not a usable number")
        text = str(value)
    else:
        kind = type(value).__name__
        raise ProspectError(name, f"expected text, a number or true/false, got a {kind}")
    if len(text) > _MAX_VALUE:
        raise ProspectError(name, f"the value is longer than {_MAX_VALUE} characters")
    return text


def _plausible_domain(domain: str) -> bool:
    if "." not in domain or any(c.isspace() or c in "@/\\" for c in domain):
        return False
    return all(domain.split("."))
