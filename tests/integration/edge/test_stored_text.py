"""Text stored before the edge refused it (a lone surrogate in a decision's prospect or trace,
written as a JSON ``\\ud800`` escape) is read back everywhere with U+FFFD in its place: the
ledger, one decision, the dashboard's decision pages never answer 500."""

from __future__ import annotations

from sqlalchemy import text

from tests.integration.edge.support import ADMIN, edge_app
from tests.support.dashboard import login

PROSPECT = '{"email": "pat@example.test", "name": "Pat \\ud800 Smith", "company": "\\udfffAcme"}'
TRACE = (
    '[{"step": "rule", "outcome": "matched", "detail": "name \\ud83d is odd",'
    ' "data": {"x\\udc00": "\\ud800"}}]'
)


def test_a_lone_surrogate_already_stored_is_read_with_a_replacement(db_url: str) -> None:
    with edge_app(db_url) as (c, client, token):
        auth = {"Authorization": f"Bearer {token}"}
        r = client.post(
            "/api/v1/routers/strict/route", json={"email": "pat@example.test"}, headers=auth
        )
        assert r.status_code == 200, r.text
        decision_id = r.json()["decision_id"]
        with c.wiring.db.engine.begin() as conn:  # as an older version let it be written
            conn.execute(
                text("UPDATE decisions SET prospect = :p, trace = :t WHERE id = :id"),
                {"p": PROSPECT, "t": TRACE, "id": decision_id},
            )
        r = client.get("/api/v1/decisions", headers=auth)
        assert r.status_code == 200, r.text
        (row,) = [d for d in r.json() if d["decision_id"] == decision_id]
        assert row["prospect"]["name"] == "Pat \ufffd Smith"
        assert row["prospect"]["company"] == "\ufffdAcme"
        assert row["trace"][0]["detail"] == "name \ufffd is odd"
        assert row["trace"][0]["data"] == {"x\ufffd": "\ufffd"}
        r = client.get(f"/api/v1/decisions/{decision_id}", headers=auth)
        assert r.status_code == 200
        assert r.json()["prospect"]["name"] == "Pat \ufffd Smith"
        login(client, ADMIN)
        page = client.get("/dashboard/decisions")
        assert page.status_code == 200, page.text[:500]
        page = client.get(f"/dashboard/decisions/{decision_id}")
        assert page.status_code == 200, page.text[:500]
        assert "Pat \ufffd Smith" in page.text
        csv = client.get("/dashboard/analytics/strict.csv")
        assert csv.status_code == 200
