"""Migration 0010 builds exactly the sighting and alert tables of the models, and goes back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from ..helpers import migration_round_trip

TABLES = {"alerts", "alert_sightings", "alert_transitions", "detector_state"}


def test_0010_matches_the_models_and_downgrades(tmp_path: Path) -> None:
    engine = migration_round_trip(tmp_path, TABLES, "0009")
    columns = {c["name"] for c in inspect(engine).get_columns("sightings")}
    assert "camera" not in columns and "at" in columns
    engine.dispose()
