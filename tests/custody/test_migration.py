"""Migration 0009 builds exactly the custody tables of the models, and goes back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from alcabala.db.base import Base
from alcabala.db.engine import make_engine
from alcabala.db.migrate import alembic_config, upgrade

TABLES = {
    "storage_locations",
    "seizures",
    "seized_items",
    "seizure_files",
    "detentions",
    "detention_transitions",
    "transfers",
    "custody_events",
    "custody_outcomes",
    "custody_discrepancies",
    "vehicle_conditions",
}


def test_0009_matches_the_models_and_downgrades(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert set(inspect(engine).get_table_names()) >= TABLES
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()
