"""one door: audit rows say role, agency and client; hits can close as record_inactive

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("client", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entries_agency_id_agencies"), "agencies", ["agency_id"], ["id"]
        )
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.alter_column(
            "status", existing_type=sa.String(length=12), type_=sa.String(length=20)
        )


def downgrade() -> None:
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.alter_column(
            "status", existing_type=sa.String(length=20), type_=sa.String(length=12)
        )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_entries_agency_id_agencies"), type_="foreignkey"
        )
        batch_op.drop_column("client")
        batch_op.drop_column("agency_id")
        batch_op.drop_column("role")
