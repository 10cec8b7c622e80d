"""Shared pieces of the analytics pages: reads, ranges, the tables behind every chart, SVG
chart geometry and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadrail.app.analytics import Range, neutralise_cell, parse_range
from leadrail.bootstrap import Container

PALETTE = ("#2563eb", "#16a34a", "#d97706", "#9333ea")


def workspace_tz(c: Container) -> ZoneInfo:
    name = c.analytics.timezone()
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def range_of(
    c: Container, start: str | None, end: str | None, bucket: str | None, tz: ZoneInfo | None = None
) -> Range:
    zone = tz or workspace_tz(c)
    today = c.clock.now().astimezone(zone).date()
    return parse_range(start, end, bucket, today=today, tz=zone)


def sites_of(c: Container, slug: str) -> list[str]:
    """The sites whose form leads this router routes."""
    return [s.name for s in c.workspace.load(include_crm=False).sites or [] if s.router == slug]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def router_tables(report: dict[str, Any]) -> dict[str, Table]:
    """Every table of a router's analytics (what the charts show; each downloadable)."""
    dist = [
        (p["pool"], m["user"], m["weight"], m["assigned"], m["actual"], m["target"],
         m["deviation"])
        for p in report["distribution"] for m in p["members"]
    ]  # fmt: skip
    tables = [
        Table("timeline", "Clicks, bookings and conversion",
              ("bucket", "clicks", "bookings", "conversion"),
              [(r["bucket"], r["clicks"], r["bookings"], r["conversion"])
               for r in report["series"]]),
        Table("distribution", "Distribution accuracy",
              ("pool", "user", "weight", "assigned", "actual", "target", "deviation"), dist),
        Table("rules", "Rule matches and conversion",
              ("rule", "matched", "meetings", "conversion"),
              [(r["rule"], r["matched"], r["meetings"], r["conversion"])
               for r in report["rules"]]),
        Table("users", "Per user", ("user", "assignments", "meetings", "cancelled", "no_shows"),
              [(u["user"], u["assignments"], u["meetings"], u["cancelled"], u["no_shows"])
               for u in report["users"]]),
        *lead_tables(report["leads"]).values(),
    ]  # fmt: skip
    return {t.name: t for t in tables}


def lead_tables(leads: dict[str, Any]) -> dict[str, Table]:
    tables = [
        Table("leads_category", "Form leads by category", ("category", "leads"),
              [(r["category"], r["leads"]) for r in leads["by_category"]]),
        Table("leads_store", "Form leads by store", ("store", "leads"),
              [(r["store"], r["leads"]) for r in leads["by_store"]]),
        Table("deliveries", "Deliveries by destination and status",
              ("destination", "status", "deliveries"),
              [(r["destination"], r["status"], r["deliveries"]) for r in leads["deliveries"]]),
    ]  # fmt: skip
    return {t.name: t for t in tables}


def to_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([neutralise_cell(v) for v in row])
    return buf.getvalue()


# --- SVG chart geometry (the templates draw it; text goes through autoescape) ----------------
@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    color: str
    label: str  # "<category> <series>: <value>" for the bar's <title>


def column_chart(
    title: str, labels: list[str], series: list[tuple[str, list[float]]], *, height: int = 180
) -> dict[str, Any]:
    """Vertical grouped bars (one group per label: e.g. a day with clicks and bookings)."""
    width = max(320, 28 * len(labels) * max(len(series), 1))
    top = max([v for _, vals in series for v in vals] + [1])
    group = (width - 40) / max(len(labels), 1)
    bar_w = max(group * 0.8 / max(len(series), 1), 1)
    bars = []
    for si, (name, values) in enumerate(series):
        for i, v in enumerate(values):
            h = (height - 30) * v / top
            x = 40 + i * group + group * 0.1 + si * bar_w
            bars.append(
                Bar(x, height - 20 - h, bar_w, h, PALETTE[si % 4], f"{labels[i]} {name}: {v:g}")
            )
    ticks = [labels[i] for i in range(0, len(labels), max(1, len(labels) // 6))]
    tick_x = {lab: 40 + labels.index(lab) * group + group / 2 for lab in ticks}
    return {"title": title, "width": width, "height": height, "bars": bars, "top": top,
            "ticks": [(tick_x[lab], lab) for lab in ticks],
            "legend": [(name, PALETTE[i % 4]) for i, (name, _) in enumerate(series)]}  # fmt: skip


def bar_chart(
    title: str, labels: list[str], series: list[tuple[str, list[float]]], *, percent: bool = False
) -> dict[str, Any]:
    """Horizontal grouped bars (one row per label: a member's actual vs target share)."""
    row_h = 14 * max(len(series), 1) + 8
    height = max(row_h * len(labels) + 10, 40)
    top = max([v for _, vals in series for v in vals] + [1e-9 if percent else 1])
    bars = []
    for i, _ in enumerate(labels):
        for si, (name, values) in enumerate(series):
            v = values[i]
            shown = f"{v * 100:.1f}%" if percent else f"{v:g}"
            bars.append(Bar(200, 6 + i * row_h + si * 14, 300 * v / top, 12, PALETTE[si % 4],
                            f"{labels[i]} {name}: {shown}"))  # fmt: skip
    return {"title": title, "width": 560, "height": height, "bars": bars,
            "rows": [(6 + i * row_h + 10, lab[:32]) for i, lab in enumerate(labels)],
            "legend": [(name, PALETTE[i % 4]) for i, (name, _) in enumerate(series)]}  # fmt: skip


def router_charts(report: dict[str, Any]) -> dict[str, Any]:
    s = report["series"]
    charts: dict[str, Any] = {
        "timeline": column_chart(
            "Clicks and bookings per " + report["bucket"],
            [r["bucket"] for r in s],
            [("clicks", [r["clicks"] for r in s]), ("bookings", [r["bookings"] for r in s])],
        ),
        "rules": bar_chart(
            "Rule matches and meetings",
            [r["rule"] for r in report["rules"]],
            [("matched", [r["matched"] for r in report["rules"]]),
             ("meetings", [r["meetings"] for r in report["rules"]])],
        ),
        "users": bar_chart(
            "Assignments, meetings and no-shows per user",
            [u["user"] for u in report["users"]],
            [(k, [u[k] for u in report["users"]]) for k in ("assignments", "meetings", "no_shows")],
        ),
        "leads": bar_chart(
            "Form leads by category",
            [r["category"] for r in report["leads"]["by_category"]],
            [("leads", [r["leads"] for r in report["leads"]["by_category"]])],
        ),
    }  # fmt: skip
    charts["timeline_data"] = timeline_data(s)
    charts["timeline_table"] = quiet_runs_folded(router_tables(report)["timeline"])
    charts["pools"] = [
        bar_chart(
            f"Actual share vs weighted target: {p['pool']}",
            [m["user"] for m in p["members"]],
            [("actual", [m["actual"] for m in p["members"]]),
             ("target", [m["target"] for m in p["members"]])],
            percent=True,
        )
        for p in report["distribution"]
    ]  # fmt: skip
    return charts


def timeline_data(series: list[dict[str, Any]]) -> dict[str, Any]:
    """The timeline for the chart script (uPlot): bucket starts as Unix seconds, then each
    series' values."""
    xs = [int(datetime.fromisoformat(r["bucket"]).replace(tzinfo=UTC).timestamp()) for r in series]
    return {"x": xs, "series": [["clicks", [r["clicks"] for r in series]],
                                ["bookings", [r["bookings"] for r in series]]]}  # fmt: skip


def quiet_runs_folded(table: Table) -> Table:
    """The timeline table as shown: two or more buckets in a row with nothing in them are one
    row ("2026-11-01 to 2026-11-20: nothing"), not rows of zeros. The CSV keeps every row."""
    rows: list[tuple[Any, ...]] = []
    run: list[tuple[Any, ...]] = []

    def flush() -> None:
        if len(run) >= 2:
            rows.append((f"{run[0][0]} to {run[-1][0]}", "nothing", "", ""))
        else:
            rows.extend(run)
        run.clear()

    for row in table.rows:
        if not any(row[1:3]):
            run.append(row)
            continue
        flush()
        rows.append(row)
    flush()
    return Table(table.name, table.title, table.headers, rows)


def now_utc(c: Container) -> datetime:
    return c.clock.now().astimezone(UTC)


pct = _pct
