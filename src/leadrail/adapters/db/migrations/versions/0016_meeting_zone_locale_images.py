"""meetings keep the prospect's zone and language; images (logo, rep photos)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))
    op.create_table(
        "images",
        sa.Column("key", sa.String(length=280), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_images")),
    )


def downgrade() -> None:
    op.drop_table("images")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("locale")
        batch_op.drop_column("timezone")
