"""sightings by day: on PostgreSQL, camera sightings become a table partitioned by range of
``at``, one partition per UTC day (``sightings_YYYYMMDD``, created as reads arrive) and a
default one; the primary key becomes (id, at), as partitioning requires. SQLite: nothing.

See :mod:`alcabala.sightings.partitions`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_sightings_at", "at"),
    ("ix_sightings_plate", "plate"),
    ("ix_sightings_vin", "vin"),
    ("ix_sightings_plate_at", "plate, at"),
)
COLUMNS = (
    "id, at, plate, plate_country, vin, checkpoint_id, lat, lon, source, check_id, "
    "confidence, camera, image_sha256, make, colour"
)


def _rebuild(partitioned: bool) -> None:
    """Move ``sightings`` into a new table of the other kind, keeping every row and id."""
    op.execute("ALTER TABLE sightings RENAME TO sightings_old")
    for name, _ in INDEXES:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
    op.execute("ALTER TABLE sightings_old RENAME CONSTRAINT pk_sightings TO pk_sightings_old")
    op.execute(
        "ALTER TABLE sightings_old RENAME CONSTRAINT fk_sightings_checkpoint_id_checkpoints "
        "TO fk_sightings_old_checkpoint"
    )
    op.execute("ALTER SEQUENCE sightings_id_seq OWNED BY NONE")
    by_day = " PARTITION BY RANGE (at)" if partitioned else ""
    key = "id, at" if partitioned else "id"
    op.execute(
        f"CREATE TABLE sightings (LIKE sightings_old INCLUDING DEFAULTS, "
        f"CONSTRAINT pk_sightings PRIMARY KEY ({key}), "
        "CONSTRAINT fk_sightings_checkpoint_id_checkpoints FOREIGN KEY (checkpoint_id) "
        f"REFERENCES checkpoints (id)){by_day}"
    )
    if partitioned:
        op.execute("CREATE TABLE sightings_default PARTITION OF sightings DEFAULT")
        op.execute(r"""
            DO $$
            DECLARE d date;
            BEGIN
              FOR d IN SELECT DISTINCT at::date FROM sightings_old LOOP
                EXECUTE format(
                  'CREATE TABLE %I PARTITION OF sightings FOR VALUES FROM (%L) TO (%L)',
                  'sightings_' || to_char(d, 'YYYYMMDD'), d::timestamp, (d + 1)::timestamp);
              END LOOP;
            END $$
        """)
    for name, columns in INDEXES:
        op.execute(f"CREATE INDEX {name} ON sightings ({columns})")
    op.execute(f"INSERT INTO sightings ({COLUMNS}) SELECT {COLUMNS} FROM sightings_old")
    op.execute("ALTER SEQUENCE sightings_id_seq OWNED BY sightings.id")
    op.execute("DROP TABLE sightings_old CASCADE")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(partitioned=False)
