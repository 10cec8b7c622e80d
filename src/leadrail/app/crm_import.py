"""Importing CRM records from CSV: every good row in, every bad row reported by line and
column, all in one transaction (never half an import)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from leadrail.routing.errors import ProspectError
from leadrail.routing.normalise import normalise_domain, normalise_email

RecordType = Literal["contacts", "companies", "leads", "opportunities"]
FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": ("email", "owner", "name", "company"),
    "leads": ("email", "owner", "name", "company"),
    "companies": ("domain", "name", "owner", "tier"),
    "opportunities": ("id", "name", "owner", "stage", "amount", "open", "email", "domain"),
}
REQUIRED = {"contacts": "email", "leads": "email", "companies": "domain", "opportunities": "id"}
OPEN = {"": True, "true": True, "yes": True, "1": True, "open": True,
        "false": False, "no": False, "0": False, "closed": False}  # fmt: skip


@dataclass(frozen=True)
class PersonRow:
    email: str
    owner: str | None
    name: str | None
    company: str | None


@dataclass(frozen=True)
class CompanyRow:
    domains: tuple[str, ...]
    name: str | None
    owner: str | None
    tier: str | None


@dataclass(frozen=True)
class OpportunityRow:
    """An opportunity of a contact (``email``) or a company (``domain``); ``key``: its id in
    the operator's own system (the record a later import updates)."""

    key: str
    name: str | None
    owner: str | None
    stage: str | None
    amount: str | None
    open: bool
    email: str | None
    domain: str | None


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass
class ImportReport:
    kind: RecordType
    rows: int = 0
    imported: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False


class CrmImportRepo(Protocol):
    def import_people(
        self, kind: Literal["contacts", "leads"], rows: list[PersonRow]
    ) -> tuple[int, int]: ...  # (created, updated)

    def import_companies(self, rows: list[CompanyRow]) -> tuple[int, int]: ...

    def import_opportunities(self, rows: list[OpportunityRow]) -> tuple[int, int]: ...


class ImportFileError(ValueError):
    """The file as a whole cannot be read (no header, unknown column in --map...)."""


def column_map(header: list[str], kind: RecordType, mapping: Mapping[str, str]) -> dict[str, str]:
    """field -> CSV column. ``mapping`` is column=field from the command line; without it a
    column named like a field (any case) is that field."""
    known = FIELDS[kind] + (("domains",) if kind == "companies" else ())
    for column, target in mapping.items():
        if column not in header:
            raise ImportFileError(
                f"--map {column}={target}: no column {column!r} in the header ({', '.join(header)})"
            )
        if target not in known:
            raise ImportFileError(
                f"--map {column}={target}: {kind} have no field {target!r} "
                f"(fields: {', '.join(known)})"
            )
    out = {target: column for column, target in mapping.items()}
    for column in header:
        name = column.strip().lower()
        if name in known and name not in out:
            out[name] = column
    need = REQUIRED[kind]
    if need not in out and not (kind == "companies" and "domains" in out):
        raise ImportFileError(f"no {need} column: name one {need!r} or use --map COLUMN={need}")
    return out


def _text(row: Mapping[str, str | None], cols: Mapping[str, str], name: str) -> str | None:
    col = cols.get(name)
    value = (row.get(col) or "").strip() if col else ""
    return value[:200] or None


def _person(
    row: Mapping[str, str | None], cols: Mapping[str, str], line: int
) -> PersonRow | RowError:
    raw = _text(row, cols, "email") or ""
    try:
        email = normalise_email(raw, strip=False)
    except ProspectError as e:
        return RowError(line, cols["email"], e.message)
    if not email:
        return RowError(line, cols["email"], "empty e-mail")
    return PersonRow(
        email, _text(row, cols, "owner"), _text(row, cols, "name"), _text(row, cols, "company")
    )


def _company(
    row: Mapping[str, str | None], cols: Mapping[str, str], line: int
) -> CompanyRow | RowError:
    raw = [_text(row, cols, "domain") or ""]
    raw += (_text(row, cols, "domains") or "").replace(";", " ").replace("|", " ").split()
    domains: list[str] = []
    column = cols.get("domain") or cols["domains"]
    for value in filter(None, raw):
        domain = normalise_domain(value)
        if not domain:
            return RowError(line, column, f"{value!r} is not a domain")
        if domain not in domains:
            domains.append(domain)
    if not domains:
        return RowError(line, column, "no domain")
    return CompanyRow(
        tuple(domains),
        _text(row, cols, "name"),
        _text(row, cols, "owner"),
        _text(row, cols, "tier"),
    )


def _opportunity(
    row: Mapping[str, str | None], cols: Mapping[str, str], line: int
) -> OpportunityRow | RowError:
    key = (_text(row, cols, "id") or "")[:64]
    if not key:
        return RowError(line, cols["id"], "no id")
    is_open = OPEN.get((_text(row, cols, "open") or "").lower())
    if is_open is None:
        return RowError(line, cols["open"], "open is true or false (or yes/no, open/closed)")
    email, domain = _text(row, cols, "email"), _text(row, cols, "domain")
    try:
        email = normalise_email(email, strip=False) if email else None
    except ProspectError as e:
        return RowError(line, cols["email"], e.message)
    if domain and not (domain := normalise_domain(domain)):
        return RowError(line, cols["domain"], f"{_text(row, cols, 'domain')!r} is not a domain")
    if not email and not domain:
        return RowError(line, cols["id"], "an opportunity needs an email or a domain")
    name, owner, stage = (_text(row, cols, n) for n in ("name", "owner", "stage"))
    amount = (_text(row, cols, "amount") or "")[:32] or None
    return OpportunityRow(key, name, owner, stage, amount, is_open, email, domain)


def _parser(
    kind: RecordType,
) -> Callable[
    [Mapping[str, str | None], Mapping[str, str], int],
    PersonRow | CompanyRow | OpportunityRow | RowError,
]:
    if kind == "companies":
        return _company
    return _opportunity if kind == "opportunities" else _person


def _keys(item: PersonRow | CompanyRow | OpportunityRow) -> tuple[str, ...]:
    if isinstance(item, CompanyRow):
        return item.domains
    return (item.key,) if isinstance(item, OpportunityRow) else (item.email,)


def read_rows(
    lines: Iterable[str], kind: RecordType, mapping: Mapping[str, str], report: ImportReport
) -> Iterator[PersonRow | CompanyRow | OpportunityRow]:
    """Valid rows, in order; problems go to ``report.errors``. A key seen twice in the file
    keeps its first row and reports the others."""
    reader = csv.DictReader(lines, restkey="\0extra")
    if not reader.fieldnames:
        raise ImportFileError("the file is empty: the first line must name the columns")
    cols = column_map(list(reader.fieldnames), kind, mapping)
    seen: dict[str, int] = {}
    parse = _parser(kind)
    for row in reader:
        report.rows += 1
        line = reader.line_num
        if row.get("\0extra"):
            report.errors.append(RowError(line, "-", "more fields than the header names"))
            continue
        item = parse(row, cols, line)
        if isinstance(item, RowError):
            report.errors.append(item)
            continue
        keys = _keys(item)
        dup = next((k for k in keys if k in seen), None)
        if dup is not None:
            col = cols.get(REQUIRED[kind]) or cols.get("domains", "-")
            report.errors.append(
                RowError(
                    line, col, f"duplicate {dup!r} (first on line {seen[dup]}): this row is skipped"
                )
            )
            continue
        for k in keys:
            seen[k] = line
        yield item


def import_csv(
    repo: CrmImportRepo,
    lines: Iterable[str],
    kind: RecordType,
    mapping: Mapping[str, str],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport(kind, dry_run=dry_run)
    valid = []
    for item in read_rows(lines, kind, mapping, report):
        valid.append(item)
        if progress and report.rows % 10_000 == 0:
            progress(report.rows)
    if progress:
        progress(report.rows)
    report.imported = len(valid)
    if dry_run or not valid:
        return report
    if kind == "companies":
        report.created, report.updated = repo.import_companies(valid)  # type: ignore[arg-type]
    elif kind == "opportunities":
        report.created, report.updated = repo.import_opportunities(valid)  # type: ignore[arg-type]
    else:
        report.created, report.updated = repo.import_people(kind, valid)  # type: ignore[arg-type]
    return report
