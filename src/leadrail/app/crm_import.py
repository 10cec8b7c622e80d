"""Importing CRM records from CSV: every good row in, every bad row reported by line and
column, all in one transaction (never half an import)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from leadrail.routing.errors import ProspectError
from leadrail.routing.normalise import normalise_domain, normalise_email

RecordType = Literal["contacts", "companies", "leads"]
FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": ("email", "owner", "name", "company"),
    "leads": ("email", "owner", "name", "company"),
    "companies": ("domain", "name", "owner", "tier"),
}
REQUIRED = {"contacts": "email", "leads": "email", "companies": "domain"}


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


def read_rows(
    lines: Iterable[str], kind: RecordType, mapping: Mapping[str, str], report: ImportReport
) -> Iterator[PersonRow | CompanyRow]:
    """Valid rows, in order; problems go to ``report.errors``. A key seen twice in the file
    keeps its first row and reports the others."""
    reader = csv.DictReader(lines, restkey="\0extra")
    if not reader.fieldnames:
        raise ImportFileError("the file is empty: the first line must name the columns")
    cols = column_map(list(reader.fieldnames), kind, mapping)
    seen: dict[str, int] = {}
    parse = _company if kind == "companies" else _person
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
        keys = item.domains if isinstance(item, CompanyRow) else (item.email,)
        dup = next((k for k in keys if k in seen), None)
        if dup is not None:
            col = cols.get("email") or cols.get("domain") or cols.get("domains", "-")
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
    else:
        report.created, report.updated = repo.import_people(kind, valid)  # type: ignore[arg-type]
    return report
