"""Demo records that refer to vehicles and persons: stolen reports, retirements, warrants.

Part of the pure demo generator (``alcabala.demo.generator``): every function takes its
own ``random.Random`` stream and the rows it refers to, and returns new rows.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Final

from alcabala.demo import catalog
from alcabala.demo.catalog_places import TOWNS
from alcabala.demo.common import (
    Row,
    Sequencer,
    Weighted,
    moment_between,
    quota,
    revalidation_date,
    timestamp,
    years_before,
)

STOLEN_SHARE: Final = 0.04
STOLEN_STATUSES: Final = (
    ("active", 0.60),
    ("recovered", 0.25),
    ("returned", 0.10),
    ("cancelled", 0.05),
)
OVERDUE_SHARE: Final = 0.15  # of active records, past their validate_by date
RETIRED_SHARE: Final = 0.01
FLEET_RETIREMENTS: Final = 0.6  # of retirements: dismantled fleet cars are the classic clone source
WARRANT_SHARE: Final = 0.02
WARRANT_STATUSES: Final = (("active", 0.60), ("executed", 0.25), ("cancelled", 0.15))


def _overdue_flags(statuses: list[str]) -> list[bool]:
    """Marks about OVERDUE_SHARE of the active entries (at least one) as overdue."""
    active = statuses.count("active")
    wanted = max(1, round(active * OVERDUE_SHARE)) if active else 0
    flags = []
    for status in statuses:
        overdue = status == "active" and wanted > 0
        wanted -= overdue
        flags.append(overdue)
    return flags


def stolen_reports(rng: random.Random, vehicles: list[Row], now: dt.datetime) -> list[Row]:
    """About 4 % of vehicles reported stolen in the last four years, oldest first."""
    today = now.date()
    candidates = [i for i, vehicle in enumerate(vehicles) if int(vehicle["year"]) < today.year]
    chosen = rng.sample(candidates, min(len(candidates), round(len(vehicles) * STOLEN_SHARE)))
    statuses = quota(rng, len(chosen), STOLEN_STATUSES)
    agencies = Weighted(catalog.REPORTING_AGENCIES)
    towns = Weighted(TOWNS)
    notes = {
        "active": catalog.THEFT_NOTES,
        "recovered": catalog.RECOVERY_NOTES,
        "returned": catalog.RECOVERY_NOTES,
        "cancelled": catalog.CANCEL_NOTES,
    }
    drafts = []
    for index, status, overdue in zip(chosen, statuses, _overdue_flags(statuses), strict=True):
        vehicle = vehicles[index]
        start = max(years_before(now, 4), dt.datetime(int(vehicle["year"]) - 1, 7, 1))
        end = now - dt.timedelta(days=91) if overdue else now
        reported = moment_between(rng, start, end)
        stolen = reported - dt.timedelta(minutes=rng.randint(30, 72 * 60))
        validate_by = ""
        if status == "active":
            validate_by = revalidation_date(rng, reported.date(), today, 90, overdue).isoformat()
        drafts.append((reported, stolen, agencies.draw(rng), vehicle["vin"], status, validate_by))
    drafts.sort()
    numbers = Sequencer(rng, start=100, stride=5)
    rows = []
    for reported, stolen, agency, vin, status, validate_by in drafts:
        sequence = numbers.next(f"{agency}-{reported.year}")
        rows.append(
            {
                "number": f"{agency}-{reported.year}-{sequence:06d}", "agency": agency,
                "vin": vin, "reported_at": timestamp(reported), "stolen_at": timestamp(stolen),
                "place": towns.draw(rng), "status": status, "validate_by": validate_by,
                "notes": rng.choice(notes[status]),
            }
        )  # fmt: skip
    return rows


_RETIREMENT_KINDS: Final = {
    True: (("dismantled", 8), ("scrapped", 2)),
    False: (("scrapped", 5), ("exported", 3), ("dismantled", 2)),
}
_REFERENCE_CODES: Final = {"dismantled": "DES", "scrapped": "CHT", "exported": "EXP"}
_RETIREMENT_NOTES: Final = {
    "dismantled": "Desarmado para repuestos; certificado de desincorporación emitido.",
    "scrapped": "Pérdida total por siniestro; enviado a chatarra.",
    "exported": "Exportado; salida registrada en aduana.",
}


def retirements(
    rng: random.Random, vehicles: list[Row], stolen: list[Row], now: dt.datetime
) -> list[Row]:
    """About 1 % of vehicles retired, mostly agency fleet cars; never a reported vehicle."""
    reported = {report["vin"] for report in stolen}
    pools: dict[bool, list[int]] = {True: [], False: []}
    for index, vehicle in enumerate(vehicles):
        if vehicle["vin"] not in reported and int(vehicle["year"]) < now.year:
            pools[bool(vehicle["owner_agency"])].append(index)
    wanted = round(len(vehicles) * RETIRED_SHARE)
    from_fleet = min(len(pools[True]), round(wanted * FLEET_RETIREMENTS))
    from_private = min(len(pools[False]), wanted - from_fleet)
    chosen = [(i, True) for i in rng.sample(pools[True], from_fleet)]
    chosen += [(i, False) for i in rng.sample(pools[False], from_private)]
    kinds = {fleet: Weighted(options) for fleet, options in _RETIREMENT_KINDS.items()}
    drafts = []
    for index, fleet in chosen:
        vehicle = vehicles[index]
        start = max(dt.datetime(int(vehicle["year"]), 7, 1), years_before(now, 8))
        kind = kinds[fleet].draw(rng)
        notes = _RETIREMENT_NOTES[kind]
        if fleet:
            notes = f"Desincorporación de la flota de {vehicle['owner_agency']}. {notes}"
        drafts.append((moment_between(rng, start, now), vehicle["vin"], kind, notes))
    drafts.sort()
    references = Sequencer(rng, stride=3)
    rows = []
    for retired, vin, kind, notes in drafts:
        agency = "SENIAT" if kind == "exported" else "INTT"
        code = f"{agency}-{_REFERENCE_CODES[kind]}-{retired.year}"
        rows.append(
            {
                "vin": vin, "kind": kind, "retired_at": timestamp(retired), "agency": agency,
                "reference": f"{code}-{references.next(code):05d}", "notes": notes,
            }
        )  # fmt: skip
    return rows


def warrants(rng: random.Random, persons: list[Row], now: dt.datetime) -> list[Row]:
    """Arrest warrants for about 2 % of persons; one past its ``expires_at`` is expired."""
    chosen = rng.sample(range(len(persons)), round(len(persons) * WARRANT_SHARE))
    statuses = quota(rng, len(chosen), WARRANT_STATUSES)
    courts = Weighted(catalog.COURT_WEIGHTS)
    offences = Weighted([((name, urgent), weight) for name, weight, urgent in catalog.OFFENCES])
    drafts = []
    for index, status, overdue in zip(chosen, statuses, _overdue_flags(statuses), strict=True):
        issued = moment_between(rng, years_before(now, 8), now)
        expires = None
        if rng.random() < 0.75:
            expires = issued + dt.timedelta(days=rng.randint(2 * 365, 6 * 365))
            if status == "active" and expires <= now:
                status = "expired"
        agency = courts.draw(rng)
        circuit, tribunals = catalog.COURT_CIRCUITS[agency]
        tribunal = rng.randint(1, tribunals)
        offence, urgent = offences.draw(rng)
        validate_by = ""
        if status == "active":
            validate_by = revalidation_date(
                rng, issued.date(), now.date(), 180, overdue
            ).isoformat()
        person = persons[index]
        drafts.append(
            (issued, agency, person["national_id"], person["country"],
             f"Tribunal {catalog.ORDINALS[tribunal - 1]} de Control {circuit}",
             f"{tribunal}C-{rng.randint(10_000, 29_999)}-{issued.year % 100:02d}",
             offence, timestamp(expires) if expires else "", status, validate_by,
             "true" if urgent else "false")
        )  # fmt: skip
    drafts.sort()
    numbers = Sequencer(rng, stride=4)
    rows = []
    for issued, agency, *rest in drafts:
        key = f"{agency}-OA-{issued.year}"
        values = (f"{key}-{numbers.next(key):05d}", agency, *rest[:5], timestamp(issued), *rest[5:])
        rows.append(dict(zip(_WARRANT_FIELDS, values, strict=True)))
    return rows


_WARRANT_FIELDS: Final = (
    "number", "agency", "national_id", "country", "court", "case_number", "offence",
    "issued_at", "expires_at", "status", "validate_by", "urgent",
)  # fmt: skip
