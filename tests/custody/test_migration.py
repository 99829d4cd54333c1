"""Migration 0009 builds exactly the custody tables of the models, and goes back."""

from __future__ import annotations

from pathlib import Path

from ..helpers import migration_round_trip

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
    migration_round_trip(tmp_path, TABLES, "0008").dispose()
