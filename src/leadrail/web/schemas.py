"""JSON shapes of the HTTP API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from leadrail.app.ports import RecordedDecision

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


class TraceStepOut(BaseModel):
    step: str
    outcome: str
    detail: str
    data: dict[str, Any] = Field(default_factory=dict)


class DecisionOut(BaseModel):
    decision_id: str | None = Field(description="Ledger id; null for a dry run.")
    router: str
    dry_run: bool
    assignees: list[str]
    rule: str | None = Field(
        description="Matched rule, 'default', or null when the router's ownership check decided."
    )
    via: str = Field(
        description="owner, memory, credit, rotation, user, broadcast, category or none"
    )
    category: str | None = None
    email: str
    domain: str
    decided_at: str
    trace: list[TraceStepOut]


def decision_json(rec: RecordedDecision) -> dict[str, Any]:
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


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody
