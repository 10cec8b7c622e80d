"""query lists: a named list can be a saved CRM query, refreshed on a schedule

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("named_lists", schema=None) as batch_op:
        batch_op.add_column(sa.Column("query", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("named_lists", schema=None) as batch_op:
        batch_op.drop_column("refreshed_at")
        batch_op.drop_column("query")
