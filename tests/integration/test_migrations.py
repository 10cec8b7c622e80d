"""Migrations build the schema the code expects, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command

from leadrail.adapters.db.engine import alembic_config, migrate


def test_migrations_match_the_models_and_are_idempotent(db_url: str) -> None:
    migrate(db_url)  # the fixture already migrated: running again changes nothing
    command.check(alembic_config(db_url))  # raises when the models and migrations differ


def test_downgrade_and_upgrade_again(sqlite_url: str) -> None:
    command.downgrade(alembic_config(sqlite_url), "base")
    migrate(sqlite_url)
    command.check(alembic_config(sqlite_url))
