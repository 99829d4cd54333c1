"""certificates: pre-purchase certificates, their transitions, physical inspections; and
notifications sent to an address given directly (a certificate's buyer)

See :mod:`alcabala.certificates.models`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 16:44:18
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import alcabala.db.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("inspected_at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("vin_seen", sa.String(length=17), nullable=False),
        sa.Column("engine_seen", sa.String(length=20), nullable=False),
        sa.Column("matches", sa.Boolean(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_inspections_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["users.id"], name=op.f("fk_inspections_inspector_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_inspections_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_vehicle_id"), ["vehicle_id"], unique=False)

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=16), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("make", sa.String(length=60), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("colour", sa.String(length=40), nullable=False),
        sa.Column("stolen", sa.Boolean(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("consistent", sa.Boolean(), nullable=False),
        sa.Column("issued_at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_certificates_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_certificates_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("serial", name=op.f("uq_certificates_serial")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificates_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_certificates_issued_at"), ["issued_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certificates_vehicle_id"), ["vehicle_id"], unique=False
        )

    op.create_table(
        "certificate_transitions",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_certificate_transitions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_transitions_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_transitions")),
    )
    with op.batch_alter_table("certificate_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_transitions_certificate_id"),
            ["certificate_id"],
            unique=False,
        )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_address", sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("to_address")

    with op.batch_alter_table("certificate_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_transitions_certificate_id"))

    op.drop_table("certificate_transitions")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_vehicle_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_issued_at"))
        batch_op.drop_index(batch_op.f("ix_certificates_expires_at"))

    op.drop_table("certificates")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_vehicle_id"))

    op.drop_table("inspections")
