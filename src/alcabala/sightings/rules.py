"""What the registry says about a batch of sightings: dead identities, a VIN under
another plate, a plate on another vehicle, a fleet identity on the street.

What: :func:`registry_findings` looks up, in two queries per batch, the registered vehicles
of every plate and VIN seen (with their retirements), and returns a :class:`Finding` for

- **dead identity**: a retired (scrapped, dismantled, exported) vehicle's VIN, engine
  number or plate seen again — NMVTIS's "dead VIN coming back";
- **one VIN under two plates**: a VIN seen under a plate that is not its registered one;
- **one plate on two vehicles**: a camera's classifier saw a make or colour that is not
  the registered vehicle's;
- **fleet identity on the street**: a VIN of an agency's or company's fleet seen under
  another plate (the PDVSA clones: fleet cars are rarely stopped).

Each finding names the agency that must act: the retirement's, the fleet owner's, the
active theft report's, or else the checkpoint's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from alcabala.sightings.alerts import Observed
from alcabala.sightings.models import AlertKind
from alcabala.vehicles.models import ReportStatus, Retirement, StolenReport, Vehicle


@dataclass(frozen=True)
class Sight:
    """A sighting with what the rules need beyond :class:`Observed`."""

    seen: Observed
    engine: str | None = None
    make: str | None = None
    colour: str | None = None
    agency_id: int | None = None  # the checkpoint's


@dataclass
class Finding:
    kind: str
    subject_kind: str
    subject: str
    agency_id: int | None
    facts: dict[str, Any]
    seen: list[Observed] = field(default_factory=list)
    record: tuple[str, int] | None = None


def _same(a: str | None, b: str | None) -> bool:
    return not a or not b or a.strip().casefold() == b.strip().casefold()


def registry_findings(session: Session, batch: Sequence[Sight]) -> list[Finding]:
    plates = {s.seen.plate for s in batch if s.seen.plate}
    vins = {s.seen.vin for s in batch if s.seen.vin}
    engines = {s.engine for s in batch if s.engine}
    if not (plates or vins or engines):
        return []
    conditions = []
    if plates:
        conditions.append(Vehicle.plate.in_(plates))
    if vins:
        conditions.append(Vehicle.vin.in_(vins))
    if engines:
        conditions.append(Vehicle.engine_number.in_(engines))
    vehicles = list(session.scalars(select(Vehicle).where(or_(*conditions))))
    ids = [v.id for v in vehicles]
    retired = (
        {
            r.vehicle_id: r
            for r in session.scalars(select(Retirement).where(Retirement.vehicle_id.in_(ids)))
        }
        if ids
        else {}
    )
    stolen = (
        {
            r.vehicle_id: r
            for r in session.scalars(
                select(StolenReport).where(
                    StolenReport.vehicle_id.in_(ids), StolenReport.status == ReportStatus.ACTIVE
                )
            )
        }
        if ids
        else {}
    )
    by_plate = {v.plate: v for v in vehicles}
    by_vin = {v.vin: v for v in vehicles}
    by_engine = {v.engine_number: v for v in vehicles if v.engine_number}
    found: list[Finding] = []

    def owner(v: Vehicle, sight: Sight) -> int | None:
        if v.id in retired:
            return retired[v.id].agency_id
        if v.id in stolen:
            return stolen[v.id].agency_id
        return v.owner_agency_id or sight.agency_id

    for sight in batch:
        o = sight.seen
        for what, vehicle in (
            ("vin", by_vin.get(o.vin or "")),
            ("engine_number", by_engine.get(sight.engine or "")),
            ("plate", by_plate.get(o.plate or "")),
        ):
            if vehicle is not None and vehicle.id in retired:
                r = retired[vehicle.id]
                found.append(
                    Finding(
                        AlertKind.DEAD_IDENTITY,
                        "vehicle",
                        vehicle.vin,
                        r.agency_id,
                        {
                            "matched_on": what,
                            "retired": r.kind,
                            "retired_at": r.retired_at.isoformat(),
                            "plate_seen": o.plate,
                            "vin_registered": vehicle.vin,
                        },
                        [o],
                        ("retirements", r.id),
                    )
                )
                break
        registered = by_vin.get(o.vin or "")
        if registered is not None and o.plate and registered.plate != o.plate:
            kind = (
                AlertKind.FLEET_IDENTITY if registered.owner_agency_id else AlertKind.VIN_TWO_PLATES
            )
            found.append(
                Finding(
                    kind,
                    "vehicle",
                    registered.vin,
                    owner(registered, sight),
                    {
                        "plate_seen": o.plate,
                        "plate_registered": registered.plate,
                        "fleet_owner": registered.owner_agency_id,
                    },
                    [o],
                )
            )
        on_plate = by_plate.get(o.plate or "")
        if on_plate is not None and not (
            _same(sight.make, on_plate.make) and _same(sight.colour, on_plate.colour)
        ):
            found.append(
                Finding(
                    AlertKind.PLATE_TWO_VEHICLES,
                    "vehicle",
                    on_plate.plate,
                    owner(on_plate, sight),
                    {
                        "make_seen": sight.make,
                        "colour_seen": sight.colour,
                        "make_registered": on_plate.make,
                        "colour_registered": on_plate.colour,
                        "vin_registered": on_plate.vin,
                    },
                    [o],
                )
            )
    return found
