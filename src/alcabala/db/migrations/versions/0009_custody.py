"""custody: storage locations, seizures, seized items and their photos, detentions and
their transitions, transfers, custody events, releases and disposals, discrepancies, and
recovered vehicles' condition inventories

See :mod:`alcabala.custody.models`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:43:57
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import alcabala.db.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "storage_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("created_at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_storage_locations_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_locations")),
        sa.UniqueConstraint("code", name=op.f("uq_storage_locations_code")),
    )
    with op.batch_alter_table("storage_locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_storage_locations_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "seizures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("check_id", sa.String(length=36), nullable=True),
        sa.Column("checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("seized_at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("case_ref", sa.String(length=60), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("inventory", sa.JSON(), nullable=False),
        sa.Column("seals", sa.JSON(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("detained", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_seizures_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoints.id"],
            name=op.f("fk_seizures_checkpoint_id_checkpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_seizures_officer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizures")),
        sa.UniqueConstraint("code", name=op.f("uq_seizures_code")),
    )
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seizures_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seizures_check_id"), ["check_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seizures_seized_at"), ["seized_at"], unique=False)

    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=False),
        sa.Column("to_user_id", sa.Integer(), nullable=False),
        sa.Column("to_location_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("offered_at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_transfers_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["users.id"], name=op.f("fk_transfers_from_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_location_id"],
            ["storage_locations.id"],
            name=op.f("fk_transfers_to_location_id_storage_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["users.id"], name=op.f("fk_transfers_to_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfers_to_user_id"), ["to_user_id"], unique=False)

    op.create_table(
        "custody_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("to_party", sa.String(length=200), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_custody_outcomes_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_custody_outcomes_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["seizure_id"], ["seizures.id"], name=op.f("fk_custody_outcomes_seizure_id_seizures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_outcomes")),
    )
    with op.batch_alter_table("custody_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_outcomes_seizure_id"), ["seizure_id"], unique=False
        )

    op.create_table(
        "seized_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=24), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.String(length=24), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("weight_kg", sa.String(length=24), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("serial", sa.String(length=40), nullable=True),
        sa.Column("vin", sa.String(length=17), nullable=True),
        sa.Column("plate", sa.String(length=16), nullable=True),
        sa.Column("ear_tags", sa.JSON(), nullable=False),
        sa.Column("seal", sa.String(length=40), nullable=True),
        sa.Column("condition", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_seized_items_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["users.id"], name=op.f("fk_seized_items_holder_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["storage_locations.id"],
            name=op.f("fk_seized_items_location_id_storage_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["seizure_id"], ["seizures.id"], name=op.f("fk_seized_items_seizure_id_seizures")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_seized_items_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seized_items")),
        sa.UniqueConstraint("label", name=op.f("uq_seized_items_label")),
    )
    with op.batch_alter_table("seized_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seized_items_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_seized_items_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_seized_items_seizure_id"), ["seizure_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_seized_items_vin"), ["vin"], unique=False)

    op.create_table(
        "seizure_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seizure_id"], ["seizures.id"], name=op.f("fk_seizure_files_seizure_id_seizures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizure_files")),
    )
    with op.batch_alter_table("seizure_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seizure_files_seizure_id"), ["seizure_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_seizure_files_sha256"), ["sha256"], unique=False)

    op.create_table(
        "vehicle_conditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("engine_number", sa.String(length=20), nullable=False),
        sa.Column("wheels", sa.Integer(), nullable=False),
        sa.Column("battery", sa.Boolean(), nullable=False),
        sa.Column("radio", sa.Boolean(), nullable=False),
        sa.Column("cargo", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_vehicle_conditions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_vehicle_conditions_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["stolen_reports.id"],
            name=op.f("fk_vehicle_conditions_report_id_stolen_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_conditions")),
    )
    with op.batch_alter_table("vehicle_conditions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vehicle_conditions_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "custody_discrepancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("expected", sa.String(length=200), nullable=False),
        sa.Column("found", sa.String(length=200), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_custody_discrepancies_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_custody_discrepancies_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["seized_items.id"],
            name=op.f("fk_custody_discrepancies_item_id_seized_items"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["storage_locations.id"],
            name=op.f("fk_custody_discrepancies_location_id_storage_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["custody_outcomes.id"],
            name=op.f("fk_custody_discrepancies_outcome_id_custody_outcomes"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["stolen_reports.id"],
            name=op.f("fk_custody_discrepancies_report_id_stolen_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_discrepancies")),
    )
    with op.batch_alter_table("custody_discrepancies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_discrepancies_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_custody_discrepancies_at"), ["at"], unique=False)

    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_user_id", sa.Integer(), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("to_party", sa.String(length=200), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("seal_state", sa.String(length=10), nullable=True),
        sa.Column("quantity_seen", sa.String(length=24), nullable=True),
        sa.Column("weight_seen", sa.String(length=24), nullable=True),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_custody_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_custody_events_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["users.id"], name=op.f("fk_custody_events_from_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["seized_items.id"], name=op.f("fk_custody_events_item_id_seized_items")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["storage_locations.id"],
            name=op.f("fk_custody_events_location_id_storage_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["custody_outcomes.id"],
            name=op.f("fk_custody_events_outcome_id_custody_outcomes"),
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["users.id"], name=op.f("fk_custody_events_to_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_custody_events_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
    )
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custody_events_item_id"), ["item_id"], unique=False)

    op.create_table(
        "detentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("national_id", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("hit_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detained_at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("approve_by", alcabala.db.base.UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_detentions_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(["hit_id"], ["hits.id"], name=op.f("fk_detentions_hit_id_hits")),
        sa.ForeignKeyConstraint(
            ["seizure_id"], ["seizures.id"], name=op.f("fk_detentions_seizure_id_seizures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detentions")),
    )
    with op.batch_alter_table("detentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_detentions_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_detentions_approve_by"), ["approve_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_detentions_seizure_id"), ["seizure_id"], unique=False)

    op.create_table(
        "detention_transitions",
        sa.Column("detention_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("at", alcabala.db.base.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_detention_transitions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_detention_transitions_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["detention_id"],
            ["detentions.id"],
            name=op.f("fk_detention_transitions_detention_id_detentions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detention_transitions")),
    )
    with op.batch_alter_table("detention_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_detention_transitions_detention_id"), ["detention_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("detention_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_detention_transitions_detention_id"))

    op.drop_table("detention_transitions")
    with op.batch_alter_table("detentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_detentions_seizure_id"))
        batch_op.drop_index(batch_op.f("ix_detentions_approve_by"))
        batch_op.drop_index(batch_op.f("ix_detentions_agency_id"))

    op.drop_table("detentions")
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_events_item_id"))

    op.drop_table("custody_events")
    with op.batch_alter_table("custody_discrepancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_discrepancies_at"))
        batch_op.drop_index(batch_op.f("ix_custody_discrepancies_agency_id"))

    op.drop_table("custody_discrepancies")
    with op.batch_alter_table("vehicle_conditions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_conditions_report_id"))

    op.drop_table("vehicle_conditions")
    with op.batch_alter_table("seizure_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizure_files_sha256"))
        batch_op.drop_index(batch_op.f("ix_seizure_files_seizure_id"))

    op.drop_table("seizure_files")
    with op.batch_alter_table("seized_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seized_items_vin"))
        batch_op.drop_index(batch_op.f("ix_seized_items_seizure_id"))
        batch_op.drop_index(batch_op.f("ix_seized_items_location_id"))
        batch_op.drop_index(batch_op.f("ix_seized_items_agency_id"))

    op.drop_table("seized_items")
    with op.batch_alter_table("custody_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_outcomes_seizure_id"))

    op.drop_table("custody_outcomes")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfers_to_user_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_agency_id"))

    op.drop_table("transfers")
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizures_seized_at"))
        batch_op.drop_index(batch_op.f("ix_seizures_check_id"))
        batch_op.drop_index(batch_op.f("ix_seizures_agency_id"))

    op.drop_table("seizures")
    with op.batch_alter_table("storage_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_storage_locations_agency_id"))

    op.drop_table("storage_locations")
