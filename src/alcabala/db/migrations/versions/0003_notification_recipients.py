"""notification recipients: e-mail and language of persons and agencies; outbox messages keep
their kind's params (rendered in the recipient's language at send time), attempts and last error

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECIPIENT_TABLES = ("persons", "agencies")


def upgrade() -> None:
    for table in RECIPIENT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
            batch_op.add_column(
                sa.Column("language", sa.String(length=5), nullable=False, server_default="es")
            )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("params", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
        batch_op.drop_column("params")
    for table in reversed(RECIPIENT_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language")
            batch_op.drop_column("email")
