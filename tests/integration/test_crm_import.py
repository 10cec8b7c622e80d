"""`leadrail crm import`: good rows in, bad rows reported by line and column, never half."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from leadrail.adapters.db import tables as t
from leadrail.app.crm_import import ImportFileError, import_csv
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings


@pytest.fixture
def c(db_url: str) -> Container:
    return bootstrap(Settings(database_url=db_url, worker=False))


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_contacts_import_with_errors_reported_and_good_rows_kept(c: Container) -> None:
    report = import_csv(
        c.crm,
        lines(
            "Email,Owner,Name\n"
            "ana@bigco.test,OWN-1,Ana\n"
            "not-an-email,OWN-2,Bad\n"
            "ANA@BigCo.test,OWN-3,Duplicate\n"
            "bo@startup.test,,Bo\n"
            "extra@x.test,OWN-1,Extra,field\n"
            ",OWN-1,No email\n"
        ),
        "contacts",
        {},
    )
    assert (report.rows, report.imported, report.created, report.updated) == (6, 2, 2, 0)
    assert [str(e) for e in report.errors] == [
        "line 3, column Email: 'not-an-email' is not an e-mail address (one '@')",
        "line 4, column Email: duplicate 'ana@bigco.test' (first on line 2): this row is skipped",
        "line 6, column -: more fields than the header names",
        "line 7, column Email: empty e-mail",
    ]
    with c.wiring.db.sessions() as s:
        rows = {r.email: r.owner_id for r in s.scalars(select(t.CrmContact))}
    assert rows == {"ana@bigco.test": "OWN-1", "bo@startup.test": None}
    again = import_csv(c.crm, lines("email,owner\nana@bigco.test,OWN-9\n"), "contacts", {})
    assert (again.created, again.updated) == (0, 1)
    assert c.routing.crm_records("ana@bigco.test", "bigco.test")[0].owner_id == "OWN-9"


def test_companies_with_several_domains_schemes_and_idn(c: Container) -> None:
    report = import_csv(
        c.crm,
        lines(
            "Website,Company,Owner,Other\n"
            "https://www.BigCo.test/about,BigCo,OWN-1,bigco.eu.test;bigco-group.test\n"
            "münchen.test,München GmbH,OWN-2,\n"
            "not a domain,Nope,,\n"
        ),
        "companies",
        {"Website": "domain", "Company": "name", "Other": "domains"},
    )
    assert report.imported == 2
    assert [str(e) for e in report.errors] == [
        "line 4, column Website: 'not a domain' is not a domain"
    ]
    records = c.routing.crm_records("cto@sales.bigco.eu.test", "sales.bigco.eu.test")
    assert [(r.kind, r.matched_on, r.owner_id) for r in records] == [
        ("company", "bigco.eu.test", "OWN-1")
    ]
    update = import_csv(c.crm, lines("domain,owner\nbigco-group.test,OWN-7\n"), "companies", {})
    assert (update.created, update.updated) == (0, 1)
    assert c.routing.crm_records("x@bigco.test", "bigco.test")[0].owner_id == "OWN-7"


def test_a_file_that_cannot_be_read_is_refused_whole(c: Container) -> None:
    with pytest.raises(ImportFileError, match="no email column"):
        import_csv(c.crm, lines("name,owner\nAna,OWN-1\n"), "leads", {})
    with pytest.raises(ImportFileError, match="no column 'Mail'"):
        import_csv(c.crm, lines("email\na@b.test\n"), "leads", {"Mail": "email"})
    with pytest.raises(ImportFileError, match="have no field 'phone'"):
        import_csv(c.crm, lines("email\na@b.test\n"), "leads", {"email": "phone"})


def test_dry_run_writes_nothing(c: Container) -> None:
    report = import_csv(c.crm, lines("email\na@b.test\n"), "leads", {}, dry_run=True)
    assert report.imported == 1
    with c.wiring.db.sessions() as s:
        assert s.scalars(select(t.CrmLead)).all() == []


def test_the_cli_prints_a_report(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from leadrail.cli import app

    monkeypatch.setenv("LEADRAIL_DATABASE_URL", sqlite_url)
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text("E-mail,Owner\na@b.test,OWN-1\nbroken,OWN-2\n")
    result = CliRunner().invoke(
        app,
        [
            "crm",
            "import",
            str(csv_file),
            "--type",
            "leads",
            "--map",
            "E-mail=email",
            "--map",
            "Owner=owner",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 imported (1 new, 0 updated), 1 with problems" in result.stdout
    assert "line 3, column E-mail:" in result.stderr
    wrong = CliRunner().invoke(app, ["crm", "import", str(csv_file), "--type", "people"])
    assert wrong.exit_code == 1
    assert "--type: 'people' is not one of contacts, companies, leads" in wrong.stderr
