"""outbox claims (fencing tokens), leads' admin alerts, per-conversation message numbers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim", sa.String(length=32), nullable=True))
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("live_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # messages stored so far: numbered in the order they were stored
    op.execute(
        "UPDATE live_messages SET number = (SELECT count(*) FROM live_messages AS earlier "
        "WHERE earlier.conversation_id = live_messages.conversation_id "
        "AND earlier.seq <= live_messages.seq)"
    )
    with op.batch_alter_table("live_messages", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(
            "uq_live_messages_conversation_number", ["conversation_id", "number"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("live_messages", schema=None) as batch_op:
        batch_op.drop_index("uq_live_messages_conversation_number")
        batch_op.drop_column("number")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("alerted_at")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claim")
