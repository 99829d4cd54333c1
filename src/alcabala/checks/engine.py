"""The hot path: one stop against the in-memory hotlist, answered in microseconds.

What: :class:`Engine` wraps a :class:`~alcabala.checks.index.Hotlist` and answers
``check(stop, now) -> Verdict`` with no database, no I/O and no pydantic. The rules:

* stolen vehicle: VIN, exact (country, plate) or engine number -> a *certain* hit; a plate
  that matches only through its OCR key (look-alike characters) -> a *possible* hit to
  be confirmed visually. One report gives one hit, on its strongest key
  (vin > plate > engine_number > plate~ocr).
* wanted person: each person aboard against the warrants in force at ``now``.
* stolen livestock: a declared ear tag -> certain; a declared brand -> possible.
* irregularities: the VIN's check digit (where it is mandatory) and model year, the
  registered VIN/plate/engine pairing, retired (scrapped, dismantled, exported) VINs and
  engines, and the livestock transit permit (rules in :mod:`alcabala.checks.verdict`).

Why two paths: nearly every stop is clean. :meth:`Engine.check` is a *screen* that does
the dict lookups inline, allocates nothing and returns the shared ``CLEAR`` unless a
lookup finds something; only then does :meth:`Engine.explain` (which gives the same
answer for every stop, and which callers may use directly) evaluate every rule and build
the verdict. The VIN check digit is computed with a translate table and one big-integer
multiplication instead of ``parse_vin`` (used only to word the detail), and the outcome
is cached per VIN in a bounded dict that is emptied when full.
"""

from __future__ import annotations

from datetime import datetime

from alcabala.checks.index import OCR_TABLE, Entry, Hotlist, StolenVehicle, Warrant, each
from alcabala.checks.verdict import (
    CLEAR,
    Certainty,
    Confirmation,
    Hit,
    Irregularity,
    MatchedOn,
    Stop,
    Verdict,
    livestock_findings,
)
from alcabala.identifiers import parse_vin

__all__ = ["BAD_CHECK_DIGIT", "READABLE", "Engine", "model_years", "vin_flags"]

# 49 CFR 565.15(c) transliteration as a byte table (255: not a VIN character). A VIN
# encoded as UTF-16-LE is one 16-bit lane per character, [ord(c), 0]; translating the bytes
# puts each character's value in its lane (NUL, the high byte, maps to 0), so
# ``int.from_bytes`` of the result is the polynomial sum(v_i * X**i) with X = 2**16.
_VALUES = dict(
    zip(
        "0123456789ABCDEFGHJKLMNPRSTUVWXYZ",
        (*range(10), 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_LANES = bytes(0 if b == 0 else _VALUES.get(chr(b), 255) for b in range(256))
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# sum(w_j * X**(16 - j)): in the product, the coefficient of X**16 is sum(v_i * w_i) <= 801,
# and no coefficient reaches 2**16, so no carry disturbs it.
_WEIGHT_POLY = sum(w << (16 * (16 - j)) for j, w in enumerate(_WEIGHTS))
_YEAR_INDEX = {c: i for i, c in enumerate("ABCDEFGHJKLMNPRSTVWXY123456789")}

#: :func:`vin_flags` bits: 17 legal characters; check digit mandatory and wrong.
READABLE = 1
BAD_CHECK_DIGIT = 2


def _mandatory(vin: str) -> bool:
    """North America (1-5, 7F-70) and China (L): the check digit is mandatory there."""
    first = vin[0]
    return first in "12345L" or (first == "7" and vin[1] not in "ABCDE")


def vin_flags(vin: str) -> int:
    """:data:`READABLE` and :data:`BAD_CHECK_DIGIT` bits of a normalized VIN, as parse_vin
    would judge them, in a few hundred nanoseconds."""
    if len(vin) != 17 or not vin.isascii() or "\0" in vin:
        return 0
    lanes = vin.encode("utf-16-le").translate(_LANES)
    if 255 in lanes:
        return 0
    if _mandatory(vin):
        poly = int.from_bytes(lanes, "little") * _WEIGHT_POLY
        if "0123456789X"[((poly >> 256) & 0xFFFF) % 11] != vin[8]:
            return READABLE | BAD_CHECK_DIGIT
    return READABLE


def model_years(vin: str) -> tuple[int, ...]:
    """The model years position 10 of a readable VIN can stand for (as parse_vin says)."""
    index = _YEAR_INDEX.get(vin[9])
    if index is None:
        return ()
    first = vin[0]
    if first in "12345" or (first == "7" and vin[1] not in "ABCDE"):
        return (1980 + index,) if vin[6].isdigit() else (2010 + index,)
    return (1980 + index, 2010 + index)


_RETIRED = {"scrapped": "scrapped", "dismantled": "dismantled for parts", "exported": "exported"}


class Engine:
    """Checks stops against a :class:`Hotlist` (which the loader keeps current)."""

    __slots__ = ("_vin_cache", "_vin_cache_size", "hotlist")

    def __init__(self, hotlist: Hotlist | None = None, *, vin_cache_size: int = 65_536) -> None:
        self.hotlist = Hotlist() if hotlist is None else hotlist
        self._vin_cache: dict[str, int] = {}
        self._vin_cache_size = vin_cache_size

    def clear_vin_cache(self) -> None:
        self._vin_cache.clear()

    def vin_flags(self, vin: str) -> int:
        """:func:`vin_flags`, through the bounded per-VIN cache."""
        flags = self._vin_cache.get(vin)
        if flags is None:
            flags = vin_flags(vin)
            if len(self._vin_cache) >= self._vin_cache_size:
                self._vin_cache.clear()
            self._vin_cache[vin] = flags
        return flags

    def check(self, stop: Stop, now: datetime) -> Verdict:
        """The verdict for ``stop`` at ``now`` (an aware datetime, as the records' are)."""
        if stop.lines or stop.ear_tags or stop.permit_number:
            return self.explain(stop, now)
        h = self.hotlist
        vin = stop.vin
        plate = stop.plate
        engine = stop.engine_number
        reg_vin = reg_plate = reg_engine = None
        if vin:
            if vin in h.stolen_vin or vin in h.retired_vin:
                return self.explain(stop, now)
            flags = self._vin_cache.get(vin)
            if flags is None:
                flags = self.vin_flags(vin)
            if flags & BAD_CHECK_DIGIT:
                return self.explain(stop, now)
            year = stop.declared_year
            if year is not None and flags:
                years = model_years(vin)
                if years and year not in years:
                    return self.explain(stop, now)
            reg_vin = h.vehicle_vin.get(vin)
        if plate:
            # An exact plate match has the same OCR key, so one lookup screens both.
            if plate.translate(OCR_TABLE) in h.stolen_ocr:
                return self.explain(stop, now)
            plates = h.vehicle_plate.get(stop.plate_country)
            if plates is not None:
                reg_plate = plates.get(plate)
        if engine:
            if engine in h.stolen_engine or engine in h.retired_engine:
                return self.explain(stop, now)
            reg_engine = h.vehicle_engine.get(engine)
        if reg_vin is not None or reg_plate is not None or reg_engine is not None:
            # Clean only when every identifier given found the same single registration.
            x = reg_vin or reg_plate or reg_engine
            if (
                isinstance(x, tuple)
                or (vin and reg_vin is not x)
                or (plate and reg_plate is not x)
                or (engine and reg_engine is not x)
            ):
                return self.explain(stop, now)
        if stop.people:
            wanted = h.warrant_person
            for person in stop.people:
                ids = wanted.get(person.country)
                if ids is not None and person.national_id in ids:
                    return self.explain(stop, now)
        return CLEAR

    def explain(self, stop: Stop, now: datetime) -> Verdict:
        """Evaluate every rule for ``stop``; the same answer as :meth:`check`, slower."""
        hits: list[Hit] = []
        found: list[Irregularity] = []
        self._stolen(stop, now, hits)
        self._wanted(stop, now, hits)
        self._vin(stop, found)
        self._pairing(stop, found)
        self._retired(stop, found)
        if stop.lines or stop.ear_tags or stop.permit_number:
            livestock_findings(self.hotlist, stop, now, hits, found)
        return Verdict.of(hits, found)

    def _stolen(self, stop: Stop, now: datetime, hits: list[Hit]) -> None:
        h = self.hotlist
        plate = stop.plate
        by_plate = by_ocr = None
        if plate:
            by_plate = h.stolen_plate.get(stop.plate_country, {}).get(plate)
            by_ocr = h.stolen_ocr.get(plate.translate(OCR_TABLE))
        keyed: tuple[tuple[MatchedOn, Entry[StolenVehicle] | None], ...] = (
            ("vin", h.stolen_vin.get(stop.vin) if stop.vin else None),
            ("plate", by_plate),
            ("engine_number", h.stolen_engine.get(stop.engine_number or "")),
            ("plate~ocr", by_ocr),
        )
        strongest: dict[int, tuple[MatchedOn, StolenVehicle]] = {}
        for key, entry in keyed:
            for report in each(entry):
                strongest.setdefault(report.report_id, (key, report))
        aboard = bool(stop.people)
        for key, report in strongest.values():
            possible = key == "plate~ocr"
            confirmation = (
                Confirmation.visual(now) if possible else Confirmation.agency(now, aboard)
            )
            certainty: Certainty = "possible" if possible else "certain"
            hits.append(Hit("stolen_vehicle", certainty, key, report.summary(), confirmation))

    def _wanted(self, stop: Stop, now: datetime, hits: list[Hit]) -> None:
        seen: set[int] = set()
        for person in stop.people:
            entry = self.hotlist.warrant_person.get(person.country, {}).get(person.national_id)
            warrant: Warrant
            for warrant in each(entry):
                if warrant.warrant_id in seen or (
                    warrant.expires_at is not None and warrant.expires_at <= now
                ):
                    continue
                seen.add(warrant.warrant_id)
                confirmation = Confirmation.agency(now, warrant.urgent)
                hits.append(
                    Hit("wanted_person", "certain", "national_id", warrant.summary(), confirmation)
                )

    def _vin(self, stop: Stop, found: list[Irregularity]) -> None:
        vin = stop.vin
        if not vin:
            return
        flags = self.vin_flags(vin)
        if flags & BAD_CHECK_DIGIT:
            messages = [p.message for p in parse_vin(vin).errors if p.code == "vin_check_digit"]
            detail = messages[0] if messages else "The VIN's check digit (position 9) is wrong."
            found.append(Irregularity("vin_check_digit", detail))
        year = stop.declared_year
        years = model_years(vin) if flags & READABLE else ()
        if year is not None and years and year not in years:
            shown = " or ".join(str(y) for y in years)
            found.append(
                Irregularity(
                    "vin_year_mismatch",
                    f"The VIN's model-year code '{vin[9]}' stands for {shown}, "
                    f"but the vehicle was declared as a {year} model.",
                )
            )

    def _pairing(self, stop: Stop, found: list[Irregularity]) -> None:
        h = self.hotlist
        vin, plate, engine, country = stop.vin, stop.plate, stop.engine_number, stop.plate_country
        if not vin:
            return
        by_vin = each(h.vehicle_vin.get(vin))
        if plate:
            problems = []
            plated = [r for r in by_vin if r.plate]
            if plated and not any(r.plate == plate and r.plate_country == country for r in plated):
                shown = ", ".join(f"{r.plate} ({r.plate_country})" for r in plated)
                problems.append(f"The VIN {vin} is registered with plate {shown}, not {plate}.")
            owners = [r for r in each(h.vehicle_plate.get(country, {}).get(plate)) if r.vin]
            if owners and not any(r.vin == vin for r in owners):
                shown = ", ".join(r.vin for r in owners)
                problems.append(f"The plate {plate} ({country}) is registered to VIN {shown}.")
            if problems:
                found.append(Irregularity("plate_vin_mismatch", " ".join(problems)))
        if engine:
            problems = []
            fitted = [r for r in by_vin if r.engine_number]
            if fitted and not any(r.engine_number == engine for r in fitted):
                shown = ", ".join(str(r.engine_number) for r in fitted)
                problems.append(f"The VIN {vin} is registered with engine {shown}, not {engine}.")
            owners = [r for r in each(h.vehicle_engine.get(engine)) if r.vin]
            if owners and not any(r.vin == vin for r in owners):
                shown = ", ".join(r.vin for r in owners)
                problems.append(f"The engine number {engine} is registered to VIN {shown}.")
            if problems:
                found.append(Irregularity("engine_vin_mismatch", " ".join(problems)))

    def _retired(self, stop: Stop, found: list[Irregularity]) -> None:
        h = self.hotlist
        vin, engine = stop.vin, stop.engine_number
        matches = {
            r.vehicle_id: r
            for r in (
                *each(h.retired_vin.get(vin) if vin else None),
                *each(h.retired_engine.get(engine) if engine else None),
            )
        }
        if matches:
            sentences = []
            for r in matches.values():
                what = f"The VIN {vin}" if r.vin == vin else f"The engine number {engine}"
                kind = _RETIRED.get(r.kind, r.kind)
                sentences.append(
                    f"{what} belongs to a vehicle recorded as {kind} on "
                    f"{r.retired_at:%Y-%m-%d}: it should not be on the road (possible clone)."
                )
            found.append(Irregularity("retired_vehicle", " ".join(sentences)))
