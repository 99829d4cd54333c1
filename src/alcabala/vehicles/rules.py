"""The rules of the vehicle registry, each written once.

Pure functions over facts (does this VIN exist, is it retired, which report is active):
the services ask the database for the facts and call them; bulk import knows the facts from
its prepared lookups and calls the very same functions for each row. So a rule cannot drift
between the API, the console, the CLI and an import file: they all raise the same error,
with the same code and field.
"""

from __future__ import annotations

from alcabala.errors import ConflictError, TransitionError
from alcabala.rules import DUPLICATE

RETIRED = "retired_vehicle"
ALREADY_ACTIVE = "already_reported"
ACTIVE_REPORT = "active_report"


def may_register(vin: str, exists: bool) -> None:
    """A VIN is registered once."""
    if exists:
        raise ConflictError(
            f"A vehicle with VIN {vin} is already registered.", field="vin", code=DUPLICATE
        )


def may_report_stolen(vin: str, retired: bool, active_number: str | None) -> None:
    """A retired vehicle's VIN is dead and cannot be reported stolen; a vehicle has at most
    one active report."""
    if retired:
        raise TransitionError(
            f"Vehicle {vin} is retired; its VIN is dead and cannot be reported stolen.",
            field="vin",
            code=RETIRED,
        )
    if active_number is not None:
        raise ConflictError(
            f"Vehicle {vin} already has the active report {active_number}.",
            field="vin",
            code=ALREADY_ACTIVE,
        )


def may_retire(vin: str, retired: bool, active_number: str | None) -> None:
    """A vehicle is retired once, and never while it is reported stolen."""
    if retired:
        raise ConflictError(f"Vehicle {vin} is already retired.", field="vin", code=DUPLICATE)
    if active_number is not None:
        raise TransitionError(
            f"Vehicle {vin} has the active stolen report {active_number}; "
            "recover or cancel it before retiring the vehicle.",
            field="vin",
            code=ACTIVE_REPORT,
        )
