"""calendar connections: reps' Google / Microsoft 365 grants, authorisations under way, the
events written in those calendars

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-28 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_connections",
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("refresh_sealed", sa.Text(), nullable=True),
        sa.Column("account", sa.String(length=254), nullable=True),
        sa.Column("scopes", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.String(length=500), nullable=True),
        sa.Column("connected_by", sa.String(length=254), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_email", name=op.f("pk_calendar_connections")),
    )
    op.create_table(
        "calendar_authorisations",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("started_by", sa.String(length=254), nullable=False),
        sa.Column("verifier", sa.String(length=128), nullable=False),
        sa.Column("return_to", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_calendar_authorisations")),
    )
    with op.batch_alter_table("calendar_authorisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_authorisations_created_at"), ["created_at"], unique=False
        )
    op.create_table(
        "calendar_events",
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("event_id", sa.String(length=1100), nullable=False),
        sa.Column("join_url", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_calendar_events")),
    )


def downgrade() -> None:
    op.drop_table("calendar_events")
    with op.batch_alter_table("calendar_authorisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_authorisations_created_at"))
    op.drop_table("calendar_authorisations")
    op.drop_table("calendar_connections")
