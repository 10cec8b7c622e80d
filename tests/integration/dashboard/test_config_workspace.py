"""Workspace YAML from the dashboard: download, dry-run preview, apply, refusals."""

from __future__ import annotations

import yaml

from tests.support.dashboard import Dash


def test_download_is_the_exported_workspace(dash: Dash) -> None:
    r = dash.client.get("/dashboard/workspace.yaml")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    assert yaml.safe_load(r.text) == dash.export()


def test_paste_preview_then_apply(dash: Dash) -> None:
    doc = dash.export()
    doc["teams"][0]["members"][0]["weight"] = 7
    doc["lists"].append({"name": "vip", "values": ["vip.test"]})
    text = yaml.safe_dump(doc)
    before = dash.export()
    r = dash.post("/dashboard/workspace", {"yaml": text, "action": "preview"})
    assert r.status_code == 200
    assert "+ lists: vip" in r.text
    assert "~ teams: SDR" in r.text
    assert "Dry run" in r.text
    assert dash.export() == before
    r = dash.post("/dashboard/workspace", {"yaml": text, "action": "apply"})
    assert r.status_code == 200
    assert "Applied" in r.text
    after = dash.export()
    assert {"name": "vip", "values": ["vip.test"]} in after["lists"]
    assert after["teams"][0]["members"][0]["weight"] == 7


def test_upload_a_file(dash: Dash) -> None:
    body = b"lists:\n  - name: upl\n    values: [a.test]\n"
    r = dash.client.post(
        "/dashboard/workspace",
        data={"csrf": dash.csrf, "action": "apply"},
        files={"file": ("ws.yaml", body, "application/yaml")},
    )
    assert r.status_code == 200, r.text
    assert [x["name"] for x in dash.export()["lists"]] == ["upl"]


def test_invalid_documents_list_every_problem_and_write_nothing(dash: Dash) -> None:
    before = dash.export()
    bad = ("teams:\n  - name: SDR\n    members: [ghost@acme.test]\n"
           "meeting_types:\n  - {slug: Bad Slug, name: X, duration_minutes: 1}\n")  # fmt: skip
    r = dash.post("/dashboard/workspace", {"yaml": bad, "action": "apply"})
    assert r.status_code == 422
    assert "meeting_types[0].slug" in r.text
    assert "meeting_types[0].duration_minutes" in r.text
    assert 'aria-invalid="true"' in r.text
    assert "Bad Slug" in r.text
    r = dash.post("/dashboard/workspace", {"yaml": "teams: [unclosed", "action": "preview"})
    assert r.status_code == 422
    assert "not valid YAML" in r.text
    r = dash.post("/dashboard/workspace", {"yaml": "- just a list", "action": "apply"})
    assert r.status_code == 422
    assert "mapping" in r.text
    assert dash.export() == before


def test_import_without_csrf_is_refused(dash: Dash) -> None:
    before = dash.export()
    r = dash.client.post("/dashboard/workspace", data={"yaml": "lists: []", "action": "apply"})
    assert r.status_code == 403
    assert dash.export() == before
