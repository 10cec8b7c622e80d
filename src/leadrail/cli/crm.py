"""The built-in CRM: import records from CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leadrail.cli.common import (
    container,
    crm_app,
    err,
    fail,
    out,
    parse_fields,
)


@crm_app.command("import")
def crm_import(
    file: Annotated[Path, typer.Argument(help="A CSV file with a header line.")],
    record_type: Annotated[
        str,
        typer.Option("--type", help="contacts, companies, leads or opportunities.", metavar="TYPE"),
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="A column's field, e.g. 'E-mail=email'.", metavar="COLUMN=FIELD"
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
) -> None:
    """Import CRM records: every good row in one transaction; bad rows reported by line and
    column (they do not stop the good ones)."""
    from rich.progress import Progress

    from leadrail.app.crm_import import ImportFileError, RecordType, import_csv

    kinds: dict[str, RecordType] = {
        "contacts": "contacts",
        "companies": "companies",
        "leads": "leads",
        "opportunities": "opportunities",
    }
    kind = kinds.get(record_type)
    if kind is None:
        fail(f"--type: {record_type!r} is not one of contacts, companies, leads, opportunities")
    pairs = parse_fields(mapping or [])
    c = container()
    try:
        with file.open(newline="", encoding="utf-8-sig") as fh, Progress(console=err) as bar:
            task = bar.add_task(f"reading {file.name}", total=None)
            report = import_csv(
                c.crm,
                fh,
                kind,
                {k: v.strip() for k, v in pairs.items()},
                dry_run=dry_run,
                progress=lambda n: bar.update(task, completed=n),
            )
    except OSError as e:
        fail(f"cannot read {file}: {e.strerror}")
    except (ImportFileError, UnicodeDecodeError) as e:
        fail(f"{file}: {e}")
    for problem in report.errors[:200]:
        err.print(str(problem), markup=False)
    if len(report.errors) > 200:
        err.print(f"... and {len(report.errors) - 200} more", markup=False)
    verb = "would import" if dry_run else "imported"
    out.print(
        f"{report.rows} rows read, {report.imported} {verb} "
        f"({report.created} new, {report.updated} updated), "
        f"{len(report.errors)} with problems",
        markup=False,
    )


@crm_app.command("check")
def crm_check() -> None:
    """Test the field mapping against the connected CRM: every property the mapping or a
    router's conditions name, found or MISSING (exit 1 when one is missing)."""
    from leadrail.app.crm_check import CrmUnreachable
    from leadrail.bootstrap import check_crm

    c = container()
    try:
        lines = check_crm(c)
    except CrmUnreachable as e:
        fail(f"cannot ask the CRM: {e}")
    for line in lines:
        out.print(str(line), markup=False)
    missing = sum(not line.ok for line in lines)
    if not lines:
        out.print("the mapping and the routers name no CRM property: nothing to check")
    elif missing:
        err.print(f"{missing} of {len(lines)} properties are missing in the CRM", markup=False)
        raise typer.Exit(1)
    else:
        out.print(f"all {len(lines)} properties found", markup=False)


@crm_app.command("refresh-lists")
def crm_refresh_lists() -> None:
    """Read every query list (target accounts saved as a CRM query) again now; the worker
    does it on each list's schedule."""
    from leadrail.bootstrap import refresh_target_lists

    done = refresh_target_lists(container(), force=True)
    for r in done:
        verb = "changed" if r.changed else "unchanged"
        out.print(f"{r.name}: {r.domains} domains ({verb})", markup=False)
    if not done:
        out.print("no list is a CRM query", markup=False)
