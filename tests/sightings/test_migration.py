"""Migration 0010 builds exactly the sighting and alert tables of the models, and goes back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from alcabala.db.base import Base
from alcabala.db.engine import make_engine
from alcabala.db.migrate import alembic_config, upgrade

TABLES = {"alerts", "alert_sightings", "alert_transitions", "detector_state"}


def test_0010_matches_the_models_and_downgrades(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert set(inspect(engine).get_table_names()) >= TABLES
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    assert not TABLES & set(inspect(engine).get_table_names())
    columns = {c["name"] for c in inspect(engine).get_columns("sightings")}
    assert "camera" not in columns and "at" in columns
    engine.dispose()
