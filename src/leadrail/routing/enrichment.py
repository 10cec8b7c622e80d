"""The enrichment step before the rules, in the core: the fields a provider found are added
to the prospect where it has none (what the prospect sent is kept), and the trace says what
was added and from where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leadrail.routing.model import Prospect
from leadrail.routing.operators import show
from leadrail.routing.trace import TraceStep

STEP = "enrichment"


@dataclass(frozen=True, slots=True)
class Enriched:
    """What a provider said of a prospect: ``fields`` by lower-case name, ``source`` (where
    from, in words), or ``problem`` when it could not say (routing goes on without it)."""

    source: str
    fields: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None


def enrich(prospect: Prospect, found: Enriched) -> tuple[Prospect, TraceStep]:
    """The prospect with the fields it lacked, and the trace step saying so."""
    if found.problem:
        detail = f"enrichment from {found.source} failed: {found.problem}; routed without it"
        return prospect, TraceStep(STEP, "failed", detail, {"source": found.source})
    added = {
        k: v
        for k, v in found.fields.items()
        if v.strip() and not (prospect.fields.get(k) or "").strip()
    }
    kept = sorted(k for k in found.fields if k not in added and found.fields[k].strip())
    data: dict[str, object] = {"source": found.source, "added": added}
    if not added:
        detail = f"enrichment from {found.source} added nothing"
        detail += f" (the prospect already has {', '.join(kept)})" if kept else ""
        return prospect, TraceStep(STEP, "nothing", detail, data)
    shown = ", ".join(f"{k} {show(v)}" for k, v in sorted(added.items()))
    detail = f"enrichment from {found.source} added {shown}"
    fields = {**prospect.fields, **added}
    enriched = Prospect(prospect.email, prospect.domain, prospect.free_mail, fields)
    return enriched, TraceStep(STEP, "added", detail, data)
