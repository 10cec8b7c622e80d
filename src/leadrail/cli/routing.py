"""Routing from the command line: route one prospect, simulate a file of them."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leadrail.cli.common import (
    app,
    container,
    err,
    fail,
    out,
    parse_fields,
    run_use_case,
)


@app.command()
def route(
    router: Annotated[str, typer.Argument(help="Router slug.")],
    email: Annotated[str, typer.Option(help="The prospect's e-mail.")] = "",
    field: Annotated[
        list[str] | None, typer.Option(help="Another field (repeatable).", metavar="NAME=VALUE")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Do not record.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Route one prospect and print the decision with its trace."""
    from leadrail.app.route import route_prospect
    from leadrail.web.schemas import decision_json

    c = container()
    raw = {**parse_fields(field or []), "email": email}
    rec = run_use_case(
        route_prospect, c.routing, router, raw, c.clock.now(), dry_run=dry_run, source="cli"
    )
    body = decision_json(rec)
    if as_json:
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
        return
    who = ", ".join(body["assignees"]) or "nobody"
    out.print(
        f"{who}  (rule: {body['rule'] or 'router ownership'}, via {body['via']})", markup=False
    )
    for step in body["trace"]:
        out.print(f"  - {step['detail']}", markup=False)
    out.print(
        "dry run: nothing recorded" if dry_run else f"decision {body['decision_id']}", markup=False
    )


@app.command()
def simulate(
    router: Annotated[str, typer.Argument(help="Router slug.")],
    input: Annotated[Path, typer.Option("-i", "--input", help="CSV of prospects.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Dry-run a CSV of prospects (one per row, a header of field names) and print the
    distribution per member and per rule."""
    from leadrail.app.route import simulate as do_simulate

    try:
        with input.open(newline="", encoding="utf-8-sig") as fh:
            rows: list[dict[str, Any]] = [
                {k: v for k, v in r.items() if k and v not in (None, "")}
                for r in csv.DictReader(fh)
            ]
    except OSError as e:
        fail(f"cannot read {input}: {e.strerror}")
    except (csv.Error, UnicodeDecodeError) as e:
        fail(f"{input} is not a readable CSV file: {e}")
    c = container()
    sim = run_use_case(do_simulate, c.routing, router, rows, c.clock.now())
    body = {
        "router": sim.router,
        "prospects": sim.prospects,
        "members": dict(sim.by_member.most_common()),
        "rules": dict(sim.by_rule.most_common()),
        "via": dict(sim.by_via.most_common()),
        "errors": [{"row": r, "field": f, "message": m} for r, f, m in sim.errors],
    }
    if as_json:
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
        return
    for title, counts in (("member", sim.by_member), ("rule", sim.by_rule)):
        table = Table(title=f"{sim.prospects} prospects by {title}")
        table.add_column(title)
        table.add_column("prospects", justify="right")
        table.add_column("share", justify="right")
        for name, n in counts.most_common():
            table.add_row(name, str(n), f"{100 * n / max(sim.prospects, 1):.1f}%")
        out.print(table)
    for r, f, m in sim.errors:
        err.print(f"row {r}: {f}: {m}", markup=False)
