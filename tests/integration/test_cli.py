"""The `leadrail` command line against a real SQLite database."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from leadrail.cli import app
from tests.factories import workspace

DEMO = str(Path(__file__).parents[2] / "examples" / "demo.yaml")


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LEADRAIL_DATABASE_URL", sqlite_url)
    runner = CliRunner()

    def run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, result.output + str(result.exception)
        return result

    return run


def test_apply_is_idempotent_and_prints_the_diff(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("apply", "-f", DEMO)
    assert "+ routers: q2-enterprise" in first.stdout
    assert "+ users: ana@acme.test" in first.stdout
    second = cli("apply", "-f", DEMO)
    assert "no changes" in second.stdout


def test_invalid_file_is_refused_with_paths_and_nonzero_exit(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    doc = yaml.safe_load(Path(DEMO).read_text())
    doc["routers"][2]["rules"][0]["when"] = {"field": "utm_source", "op": "equalz", "value": "x"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc))
    result = cli("apply", "-f", str(bad), ok=False)
    assert result.exit_code == 1
    assert (
        "routers[2].rules[0].when.op: unknown operator 'equalz' (did you mean 'equals'?)"
        in result.stderr
    )
    assert "nothing was written" in result.stderr
    assert "no changes" not in cli("apply", "-f", DEMO).stdout  # nothing was applied before


def test_broken_yaml_says_where(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.yaml"
    bad.write_text("users:\n  - {email: a@b.test\n")
    result = cli("apply", "-f", str(bad), ok=False)
    assert "is not valid YAML at line" in result.stderr


def test_export_prints_yaml_that_apply_accepts(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    cli("apply", "-f", DEMO)
    exported = cli("export").stdout
    path = tmp_path / "exported.yaml"
    path.write_text(exported)
    assert yaml.safe_load(exported)["timezone"] == "America/New_York"
    assert "no changes" in cli("apply", "-f", str(path)).stdout


def test_route_prints_assignee_rule_and_trace(cli) -> None:  # type: ignore[no-untyped-def]
    cli("apply", "-f", DEMO)
    out = cli("route", "q2-enterprise", "--email", "buyer@globex.test", "--json").stdout
    body = json.loads(out)
    assert body["rule"] == "Target accounts"
    assert body["assignees"][0] in {"carla@acme.test", "hana@acme.test", "jade@acme.test"}
    assert body["decision_id"]
    text = cli("route", "q2-enterprise", "--email", "cto@bigco.test", "--dry-run").stdout
    assert text.startswith("ana@acme.test")  # the contact's CRM owner
    assert "dry run: nothing recorded" in text


def test_route_errors_are_clear(cli) -> None:  # type: ignore[no-untyped-def]
    cli("apply", "-f", DEMO)
    unknown = cli("route", "nope", "--email", "a@b.test", ok=False)
    assert unknown.exit_code == 1
    assert "no router with slug 'nope'" in unknown.stderr
    bad = cli("route", "q2-enterprise", "--email", "not-an-email", ok=False)
    assert "email:" in bad.stderr
    field = cli("route", "q2-enterprise", "--email", "a@b.test", "--field", "oops", ok=False)
    assert "write it as name=value" in field.stderr


def test_simulate_shows_the_distribution(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = workspace(weights=[3, 1, 2, 2])
    doc["users"][1]["credits"] = 2
    ws = tmp_path / "ws.yaml"
    ws.write_text(yaml.safe_dump(doc))
    cli("apply", "-f", str(ws))
    csv_path = tmp_path / "prospects.csv"
    rows = ["email,employee_count"] + [f"p{i}@example{i}.test,{10 + i}" for i in range(40)]
    rows += ["broken,5"]
    csv_path.write_text("\n".join(rows) + "\n")
    body = json.loads(cli("simulate", "inbound", "-i", str(csv_path), "--json").stdout)
    assert body["prospects"] == 40
    assert body["via"] == {"rotation": 38, "credit": 2}
    assert body["rules"] == {"default": 40}
    shares = {"rep0@acme.test": 3, "rep1@acme.test": 1, "rep2@acme.test": 2, "rep3@acme.test": 2}
    for member, weight in shares.items():
        rotation = body["members"][member] - (2 if member == "rep1@acme.test" else 0)
        assert abs(rotation - 38 * weight / 8) < 1, body["members"]
    assert body["errors"][0]["row"] == 41
    assert body["errors"][0]["field"] == "email"
    table = cli("simulate", "inbound", "-i", str(csv_path)).stdout
    assert "40 prospects by member" in table
    # nothing was recorded: the credits are still there for the first real decision
    real = json.loads(cli("route", "inbound", "--email", "x@y.test", "--json").stdout)
    assert real["assignees"] == ["rep1@acme.test"]
    assert real["via"] == "credit"


def test_user_and_token_create(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("user", "create", "root@acme.test", "--admin").stdout
    assert "is an admin" in out
    token = cli("token", "create", "--email", "root@acme.test").stdout.strip()
    assert token.startswith("lr_")
    assert len(token) > 30
    missing = cli("token", "create", "--email", "ghost@acme.test", ok=False)
    assert "create it first" in missing.stderr


def test_console_script_is_installed(sqlite_url: str) -> None:
    exe = Path(sys.executable).parent / "leadrail"
    env = {**os.environ, "LEADRAIL_DATABASE_URL": sqlite_url}
    done = subprocess.run(
        [str(exe), "apply", "-f", DEMO],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "+ routers: inbound-demo" in done.stdout


def test_user_passwords_from_stdin_let_them_log_in(  # type: ignore[no-untyped-def]
    cli, sqlite_url: str
) -> None:
    from leadrail.bootstrap import bootstrap
    from leadrail.settings import Settings

    runner = CliRunner()
    made = runner.invoke(
        app, ["user", "create", "ops@acme.test", "--admin", "--password-stdin"],
        input="first long password\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "with a dashboard password" in made.stdout
    short = runner.invoke(app, ["user", "password", "ops@acme.test"], input="short\n")
    assert short.exit_code != 0
    assert "password: use at least 10 characters" in short.output
    changed = runner.invoke(app, ["user", "password", "ops@acme.test"], input="second password!\n")
    assert changed.exit_code == 0, changed.output
    c = bootstrap(Settings(database_url=sqlite_url, worker=False))
    try:
        now = c.clock.now()
        assert c.accounts.login("ops@acme.test", "second password!", now).user.is_admin
        with pytest.raises(Exception, match="wrong"):
            c.accounts.login("ops@acme.test", "first long password", now)
    finally:
        c.close()


def test_route_json_keeps_the_trace_datas_types(cli) -> None:  # type: ignore[no-untyped-def]
    cli("apply", "-f", DEMO)
    out = cli("route", "q2-enterprise", "--email", "x@rivalcorp.test", "--json").stdout
    steps = json.loads(out)["trace"]
    assert [s["data"]["users"] for s in steps if "users" in s["data"]] == [["manager@acme.test"]]


def test_migrate_says_what_it_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADRAIL_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    first = CliRunner().invoke(app, ["migrate"])
    assert first.exit_code == 0, first.output
    assert "applied 0001 initial schema" in first.stdout
    assert "up to date" not in first.stdout
    again = CliRunner().invoke(app, ["migrate"]).stdout
    assert "applied" not in again
    assert "up to date" in again


def commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in getattr(group, "commands", {}).items():
        found += commands(command, (*path, name))
    return found


def test_every_commands_help_reads_cleanly() -> None:
    import typer

    paths = commands(typer.main.get_command(app))
    assert ("route",) in paths
    assert ("user", "create") in paths
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, (path, result.output)
        help_text = result.stdout
        assert not re.search(r"<[a-z_]+(\[[a-z_]+\])?>", help_text), (path, help_text)
        assert "{" not in help_text.split("\n", 1)[0], (path, help_text)  # usage: plain names
    route_help = CliRunner().invoke(app, ["route", "--help"]).stdout
    assert "ROUTER" in route_help
    assert "--email EMAIL" in route_help
    assert re.search(r"--dry-run +Do not record", route_help)  # a flag takes no value


def test_worker_help_says_all_it_delivers() -> None:
    text = " ".join(CliRunner().invoke(app, ["worker", "--help"]).stdout.split())
    for what in ("form leads", "invites", "calendar", "CRM"):
        assert what in text, text


def test_demo_if_empty_loads_the_demo_once(cli, sqlite_url: str) -> None:  # type: ignore[no-untyped-def]
    from leadrail.app.workspace_edit import delete_item
    from leadrail.bootstrap import bootstrap
    from leadrail.settings import Settings

    first = cli("demo", "--if-empty", "-f", DEMO, "--url", "http://127.0.0.1:8123").stdout
    password = re.search(r"password (\S+)", first).group(1)  # type: ignore[union-attr]
    assert "http://127.0.0.1:8123/login" in first
    assert re.search(r"Bearer \.\.\.\): lr_\S+", first)
    c = bootstrap(Settings(database_url=sqlite_url, worker=False))
    try:
        delete_item(c.workspace, "routers", "inbound-demo")  # changed in the dashboard
        tokens = _count(sqlite_url, "api_tokens")
        second = cli("demo", "--if-empty", "-f", DEMO).stdout
        assert "kept as it is" in second
        assert "make reset" in second
        assert "Bearer" not in second  # no new password, no new token
        assert "/login" not in second
        assert all(r["slug"] != "inbound-demo" for r in _routers(c))
        assert _count(sqlite_url, "api_tokens") == tokens
        assert c.accounts.login("admin@acme.test", password, c.clock.now()).user.is_admin
    finally:
        c.close()


def _routers(c: Any) -> list[dict[str, Any]]:
    from leadrail.app.workspace_edit import section_items

    return section_items(c.workspace, "routers")


def _count(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    engine.dispose()
    return n


def test_make_run_loads_the_demo_only_into_a_fresh_database(tmp_path: Path) -> None:
    """The Makefile's own `run` recipe (`make -n` prints it), but `serve`, run twice."""
    root = Path(__file__).parents[2]
    recipe = subprocess.run(["make", "-n", "run"], cwd=root, capture_output=True, text=True,
                            check=True, timeout=60).stdout  # fmt: skip
    steps = [
        shlex.split(line)
        for line in recipe.splitlines()
        if line.startswith(".venv/bin/leadrail ") and " serve" not in line
    ]
    assert [s[1] for s in steps] == ["migrate", "demo"]
    env = {**os.environ, "LEADRAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'leadrail.db'}"}

    def start() -> str:
        out = ""
        for step in steps:
            done = subprocess.run(step, cwd=root, env=env, capture_output=True, text=True,
                                  timeout=120, check=False)  # fmt: skip
            assert done.returncode == 0, done.stderr
            out += done.stdout
        return out

    assert "Bearer" in start()
    later = start()
    assert "Bearer" not in later
    assert "kept as it is" in later
