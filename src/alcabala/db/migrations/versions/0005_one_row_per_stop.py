"""one row per stop: the check row is also the sighting of its plate and VIN and the
vehicle's audit entry

Before this revision a stop was written as a check, a sighting (``source='check'``), one
audit row for its VIN, one for its plate and one per person: about 5.5 indexed rows. Now the
check row carries what the sighting and the vehicle audit rows held (position; the officer's
role, agency, door and reason) and is indexed by plate and VIN; only the people keep audit
rows of their own.

The upgrade moves existing data, then removes the rows it folded in: nothing is lost, every
value of a removed row is in its check. Sightings and audit rows that belong to no check
(camera sightings, registry searches, sign-in failures) are untouched. The downgrade
writes the folded rows back from the checks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-20 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The vehicle audit row of a check: the first one written for it (VIN before plate).
_FIRST_VEHICLE_AUDIT = (
    "SELECT {column} FROM audit_entries a WHERE a.check_id = checks.check_id "
    "AND a.action = 'check' AND a.subject_kind = 'vehicle' ORDER BY a.id LIMIT 1"
)
_CHECK_SIGHTING = (
    "SELECT {column} FROM sightings s WHERE s.check_id = checks.check_id "
    "AND s.source = 'check' ORDER BY s.id LIMIT 1"
)


def upgrade() -> None:
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("client", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("reason", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_checks_agency_id_agencies"), "agencies", ["agency_id"], ["id"]
        )
        batch_op.drop_index("ix_checks_verdict")
        batch_op.drop_index("ix_checks_checkpoint_id")
        batch_op.create_index("ix_checks_checkpoint_id_at", ["checkpoint_id", "at"])
        batch_op.create_index("ix_checks_plate_at", ["plate", "at"])
        batch_op.create_index("ix_checks_vin_at", ["vin", "at"])
    # Copy what the folded rows held into their checks (through temporary indexes: the
    # lookups below are one per check) ...
    op.create_index("tmp_audit_entries_check_id", "audit_entries", ["check_id"])
    op.create_index("tmp_sightings_check_id", "sightings", ["check_id"])
    assignments = ", ".join(
        f"{column} = COALESCE(({_FIRST_VEHICLE_AUDIT.format(column=source)}), {fallback})"
        for column, source, fallback in (
            ("role", "a.role", "NULL"),
            ("agency_id", "a.agency_id", "NULL"),
            ("client", "a.client", "''"),
            ("reason", "a.reason", "''"),
        )
    )
    op.execute(f"UPDATE checks SET {assignments}")
    # A check that named only people still has its officer's role, agency and door in the
    # people's audit rows.
    op.execute(
        "UPDATE checks SET "
        + ", ".join(
            f"{column} = COALESCE((SELECT a.{column} FROM audit_entries a "
            f"WHERE a.check_id = checks.check_id AND a.action = 'check' ORDER BY a.id LIMIT 1)"
            f", {column})"
            for column in ("role", "agency_id", "client", "reason")
        )
        + " WHERE role IS NULL"
    )
    op.execute(
        "UPDATE checks SET "
        f"lat = ({_CHECK_SIGHTING.format(column='s.lat')}), "
        f"lon = ({_CHECK_SIGHTING.format(column='s.lon')})"
    )
    # ... then remove them: every value is now in the check row.
    op.execute(
        "DELETE FROM audit_entries WHERE action = 'check' AND subject_kind = 'vehicle' "
        "AND check_id IN (SELECT check_id FROM checks)"
    )
    op.execute(
        "DELETE FROM sightings WHERE source = 'check' AND check_id IN (SELECT check_id FROM checks)"
    )
    op.drop_index("tmp_sightings_check_id", "sightings")
    op.drop_index("tmp_audit_entries_check_id", "audit_entries")


def downgrade() -> None:
    # The sightings and vehicle audit rows, written back from the checks.
    op.execute(
        "INSERT INTO sightings (at, plate, plate_country, vin, checkpoint_id, lat, lon, source, "
        "check_id) SELECT at, plate, plate_country, vin, checkpoint_id, lat, lon, 'check', "
        "check_id FROM checks WHERE plate IS NOT NULL OR vin IS NOT NULL"
    )
    for subject in ("vin", "plate"):
        op.execute(
            "INSERT INTO audit_entries (at, user_id, role, agency_id, client, action, "
            "subject_kind, subject, checkpoint_id, check_id, reason) "
            f"SELECT at, officer_id, role, agency_id, client, 'check', 'vehicle', {subject}, "
            f"checkpoint_id, check_id, reason FROM checks WHERE {subject} IS NOT NULL"
        )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index("ix_checks_vin_at")
        batch_op.drop_index("ix_checks_plate_at")
        batch_op.drop_index("ix_checks_checkpoint_id_at")
        batch_op.create_index("ix_checks_checkpoint_id", ["checkpoint_id"])
        batch_op.create_index("ix_checks_verdict", ["verdict"])
        batch_op.drop_constraint(batch_op.f("fk_checks_agency_id_agencies"), type_="foreignkey")
        batch_op.drop_column("reason")
        batch_op.drop_column("client")
        batch_op.drop_column("agency_id")
        batch_op.drop_column("role")
        batch_op.drop_column("lon")
        batch_op.drop_column("lat")
