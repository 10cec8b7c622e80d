"""The whole document: its sections, and ``parse_workspace`` (shape, then references)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import (
    Field,
    ValidationError,
    field_validator,
)

from leadrail.app.errors import InvalidWorkspace, Problem
from leadrail.app.references import check_references
from leadrail.app.workspace.branding import BrandingDoc, Language
from leadrail.app.workspace.common import (
    EMAIL,
    SLUG,
    URL_CHECK,
    Doc,
    check_timezone,
)
from leadrail.app.workspace.crm import (
    CrmDoc,
)
from leadrail.app.workspace.leads import (
    CategoryDoc,
    DestinationDoc,
    StoreDoc,
)
from leadrail.app.workspace.people import (
    ListDoc,
    TeamDoc,
    UserDoc,
)
from leadrail.app.workspace.routers import (
    MeetingTypeDoc,
    RouterDoc,
)
from leadrail.app.workspace.sites import (
    SiteDoc,
)

PATTERN_WORDS = {
    SLUG: "use lowercase letters, digits and hyphens, starting with a letter or a digit "
    "(63 at most)",
    EMAIL: "write an e-mail address, like name@example.com",
    r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$": "use letters, digits, spaces, dots, hyphens and "
    "underscores, starting with a letter or a digit (64 at most)",
    r"^[a-z][a-z0-9_]{0,63}$": "use lowercase letters, digits and underscores, starting with a "
    "letter (64 at most)",
    r"^[A-Za-z0-9_-]{16,64}$": "use 16 to 64 letters, digits, hyphens or underscores",
}


class WorkspaceDoc(Doc):
    timezone: str = "UTC"
    language: Language = "en"  # e-mails to reps; prospects get their own
    branding: BrandingDoc = Field(default_factory=BrandingDoc)
    users: list[UserDoc] | None = None
    teams: list[TeamDoc] | None = None
    lists: list[ListDoc] | None = None
    meeting_types: list[MeetingTypeDoc] | None = None
    routers: list[RouterDoc] | None = None
    crm: CrmDoc | None = None
    categories: list[CategoryDoc] | None = None
    fallback_destination: DestinationDoc | None = None
    stores: list[StoreDoc] | None = None
    nearest_store_routing: bool = False
    nearest_store_max_km: float | None = Field(default=None, gt=0, le=20000)
    sites: list[SiteDoc] | None = None

    _tz = field_validator("timezone")(check_timezone)


def format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "int", "float", "bool") or part.startswith(
            ("function-", "literal[", "list[", "dict[")
        ):
            continue  # pydantic's union branch tags: not part of the user's path
        else:
            out += f".{part}" if out else part
    return out


def pattern_in_words(pattern: str) -> str:
    """What a text that did not match ``pattern`` should look like, in words (never the
    regular expression)."""
    return PATTERN_WORDS.get(pattern, "this is not written the way it should be")


def problems_from(err: ValidationError, prefix: str = "") -> list[Problem]:
    out = []
    for e in err.errors():
        path = format_loc(tuple(e["loc"]))
        if prefix:
            path = f"{prefix}.{path}" if path and not path.startswith("[") else prefix + path
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown setting"
        elif e["type"] == "string_pattern_mismatch":
            msg = pattern_in_words(str((e.get("ctx") or {}).get("pattern", "")))
        out.append(Problem(path, msg))
    # Several union branches can report the same spot: keep each message once.
    seen: set[tuple[str, str]] = set()
    unique = []
    for p in out:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            unique.append(p)
    return unique


SECTIONS = (
    "users", "teams", "lists", "meeting_types", "routers", "categories", "stores", "sites",
)  # fmt: skip


def parse_workspace(
    data: object,
    base: WorkspaceDoc | None = None,
    url_problem: Callable[[str], str | None] | None = None,
) -> WorkspaceDoc:
    """Shape-check a workspace document and its references; raise InvalidWorkspace naming
    every problem. Sections the document leaves out are taken from ``base`` (the current
    workspace), so a file holding only ``routers`` can refer to teams defined earlier.
    ``url_problem`` says why an outbound URL (CalDAV, webhook, CRM) cannot be saved."""
    if not isinstance(data, dict):
        raise InvalidWorkspace([Problem("", "the workspace document must be a mapping")])
    try:
        context = {URL_CHECK: url_problem} if url_problem is not None else None
        doc = WorkspaceDoc.model_validate(data, context=context)
    except ValidationError as err:
        raise InvalidWorkspace(problems_from(err)) from None
    if base is not None:
        merged = {s: getattr(base, s) for s in SECTIONS if getattr(doc, s) is None}
        for key in (
            "timezone",
            "language",
            "branding",
            "nearest_store_routing",
            "fallback_destination",
            "nearest_store_max_km",
        ):
            if key not in data:
                merged[key] = getattr(base, key)
        doc = doc.model_copy(update=merged)
    problems = check_references(doc)
    if problems:
        raise InvalidWorkspace(problems)
    return doc
