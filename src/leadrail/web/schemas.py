"""JSON shapes of the HTTP API."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, with_config
from typing_extensions import TypedDict  # pydantic reads only this one before Python 3.12

from leadrail.app.ports import RecordedDecision
from leadrail.routing.model import Via

FieldValue = str | int | float | bool | None


class ProspectIn(BaseModel):
    """A prospect: ``email`` plus any fields (name, company, country, employee_count, utm_*,
    form fields...). Values are strings, numbers or booleans."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "email": "cto@bigco.test",
                    "name": "Dana Cole",
                    "company": "BigCo",
                    "employee_count": 1200,
                    "utm_source": "hubspot",
                }
            ]
        },
    )

    email: str = Field(default="", max_length=254)

    def fields(self) -> dict[str, Any]:
        return {"email": self.email, **(self.model_extra or {})}


# The route endpoint's answer, declared once as TypedDicts: they give the OpenAPI schema (every
# key required, no other key); mypy checks ``decision_json``'s dict against them key by key;
# and ``decision_body`` writes it through their serializer (no model built nor validated per
# request, and faster than json.dumps), which writes no key they do not declare.
@with_config(ConfigDict(extra="forbid"))
class TraceStepOut(TypedDict):  # the same keys and types as routing.trace.TraceStepJson
    """One step of the trace: what the engine checked, how it came out, a sentence saying
    why, and the step's data."""

    step: str
    outcome: str
    detail: str
    data: dict[str, Any]


@with_config(ConfigDict(extra="forbid"))
class DecisionOut(TypedDict):
    decision_id: Annotated[str | None, Field(description="Ledger id; null for a dry run.")]
    router: str
    dry_run: bool
    assignees: list[str]
    rule: Annotated[
        str | None,
        Field(
            description="Matched rule, 'default', or null when the router's ownership check "
            "decided."
        ),
    ]
    via: Annotated[Via, Field(description="How the assignees were chosen.")]
    category: str | None
    email: str
    domain: str
    decided_at: Annotated[str, Field(description="When, in ISO 8601 with its UTC offset.")]
    trace: list[TraceStepOut]


def decision_json(rec: RecordedDecision) -> DecisionOut:
    d = rec.decision
    return {
        "decision_id": rec.id,
        "router": rec.router,
        "dry_run": rec.id is None,
        "assignees": list(d.assignees),
        "rule": d.rule,
        "via": d.via,
        "category": d.category,
        "email": rec.prospect.email,
        "domain": rec.prospect.domain,
        "decided_at": rec.created_at.isoformat(),
        "trace": d.trace.to_json(),
    }


_DECISION = TypeAdapter(DecisionOut)


def decision_body(rec: RecordedDecision) -> bytes:
    """The route endpoint's JSON body (UTF-8)."""
    return _DECISION.dump_json(decision_json(rec))


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody
