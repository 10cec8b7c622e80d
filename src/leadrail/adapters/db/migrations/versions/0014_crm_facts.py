"""crm facts: properties of the built-in CRM's records, and opportunities

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RECORDS = ("crm_contacts", "crm_leads", "crm_companies")


def upgrade() -> None:
    for table in _RECORDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("properties", sa.JSON(), nullable=True))
    op.create_table(
        "crm_opportunities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("stage", sa.String(length=64), nullable=True),
        sa.Column("amount", sa.String(length=32), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("domain", sa.String(length=253), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_opportunities")),
        sa.UniqueConstraint("key", name=op.f("uq_crm_opportunities_key")),
    )
    with op.batch_alter_table("crm_opportunities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crm_opportunities_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_crm_opportunities_domain"), ["domain"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crm_opportunities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_opportunities_domain"))
        batch_op.drop_index(batch_op.f("ix_crm_opportunities_email"))
    op.drop_table("crm_opportunities")
    for table in reversed(_RECORDS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("properties")
