"""users: caps (meetings a day and a week, form leads a day); rotation_state: turns given
back (a cancelled or no-show meeting returns the rep's turn)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 11:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caps", sa.JSON(), nullable=True))
    with op.batch_alter_table("rotation_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_back", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rotation_state", schema=None) as batch_op:
        batch_op.drop_column("given_back")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("caps")
