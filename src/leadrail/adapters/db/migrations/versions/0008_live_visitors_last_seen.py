"""live visitors: an index on last_seen (who is still here, who just left)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 08:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("live_visitors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_visitors_last_seen"), ["last_seen"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_visitors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_visitors_last_seen"))
