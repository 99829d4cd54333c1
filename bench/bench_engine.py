"""Benchmark: the check engine's hot path against a bare dict-lookup loop over the same stops.

For each size N it builds a :class:`~alcabala.checks.index.Hotlist` of N stolen vehicles,
N registered vehicles (plus one per stop), N/20 retired vehicles and N/10 warrants from
synthetic normalized identifiers, then times ``Engine.check(stop, now)`` over pre-built
stops (about 98% clean: plate + VIN + engine number + 1-2 people, a registered vehicle
with a correct check digit and, for half, a declared year; about 2% hits: a stolen
vehicle, an OCR look-alike plate, a wanted person, a retired VIN). The baseline does the
same lookups in the same dicts with no rule at all: stolen by VIN, (country, plate), OCR
key and engine number; registered by VIN, (country, plate) and engine; retired by VIN and
engine; each person's warrants. The VIN cache is emptied before every engine run, so
every stop's VIN is computed afresh, as at a real checkpoint.

Each size runs in its own process, so its RSS (``ru_maxrss``) is its own.

    .venv/bin/python bench/bench_engine.py [--sizes 100000,10000000] [--stops 200000]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from alcabala.checks.engine import Engine, model_years
from alcabala.checks.index import (
    OCR_TABLE,
    Hotlist,
    RegisteredVehicle,
    RetiredVehicle,
    StolenVehicle,
    Warrant,
)
from alcabala.checks.verdict import Person, Stop
from alcabala.identifiers import compute_check_digit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# First letters of stolen and of registered plates: disjoint even after OCR folding, so a
# clean stop never meets a stolen plate by accident.
STOLEN_FIRST, REGISTERED_FIRST = "ACEFHJKLM", "NPRTUVWXY"
MAKES = (("Toyota", "Corolla"), ("Ford", "Fiesta"), ("Chevrolet", "Aveo"), ("Jeep", "Cherokee"))
COLOURS = ("white", "black", "silver", "red", "blue")
AGENCIES = ("CICPC", "PNB", "GNB")
LOOK_ALIKE = str.maketrans("01258", "OIZSB")  # digit -> a letter a camera confuses it with
STOP_WMIS = ("1FT", "3GN", "LSG", "9BW", "8AP", "WVW", "JTD", "KMH")  # half mandatory


def plate(first: str, n: int) -> str:
    """A distinct Venezuelan-format plate (LL999LL) for each n < 9 * 26**3 * 1000."""
    n, digits = divmod(n, 1000)
    n, a = divmod(n, 26)
    n, b = divmod(n, 26)
    n, c = divmod(n, 26)
    return f"{first[n % len(first)]}{LETTERS[a]}{digits:03d}{LETTERS[b]}{LETTERS[c]}"


def stop_vin(j: int) -> str:
    """A distinct, readable VIN with a correct check digit."""
    body = f"{STOP_WMIS[j % 8]}AB12C0{'ABCDEFGHJKLMNPRSTVWXY123456789'[j % 30]}Z{j:06d}"
    digit = compute_check_digit(body)
    assert digit is not None
    return body[:8] + digit + body[9:]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(n: int, stops: int) -> tuple[Hotlist, list[Stop], float, float]:
    """The hotlist for size ``n`` and the stops; also generation and insertion seconds."""
    started = time.perf_counter()
    reported = NOW - timedelta(days=30)
    stolen = [
        StolenVehicle(
            i,
            f"DEN-{i}",
            AGENCIES[i % 3],
            f"8S{i:015d}",
            plate(STOLEN_FIRST, i),
            "VE",
            f"SE{i:010d}",
            *MAKES[i % 4],
            COLOURS[i % 5],
            1990 + i % 30,
            reported,
        )
        for i in range(n)
    ]
    registered = [
        RegisteredVehicle(i, f"8R{i:015d}", plate(REGISTERED_FIRST, i), "VE", f"RE{i:010d}", 2000)
        for i in range(n)
    ]
    fleet = [
        RegisteredVehicle(
            n + j, stop_vin(j), plate(REGISTERED_FIRST, n + j), "VE", f"RE{n + j:010d}", None
        )
        for j in range(stops)
    ]
    retired = [
        RetiredVehicle(i, f"8X{i:015d}", f"XE{i:010d}", "dismantled", reported)
        for i in range(n // 20)
    ]
    warrants = [
        Warrant(
            i,
            f"OC-{i}",
            "CICPC",
            f"V{i:08d}",
            "VE",
            "Tribunal 1",
            f"C-{i}",
            "robo",
            i % 4 == 0,
            None,
        )
        for i in range(max(1, n // 10))
    ]
    generated = time.perf_counter()
    hotlist = Hotlist()
    for s in stolen:
        hotlist.put_stolen(s)
    for r in registered:
        hotlist.put_vehicle(r)
    for r in fleet:
        hotlist.put_vehicle(r)
    for t in retired:
        hotlist.put_retired(t)
    for w in warrants:
        hotlist.put_warrant(w)
    inserted = time.perf_counter()
    return (
        hotlist,
        make_stops(fleet, stolen, retired, warrants),
        generated - started,
        inserted - generated,
    )


def make_stops(
    fleet: Sequence[RegisteredVehicle],
    stolen: Sequence[StolenVehicle],
    retired: Sequence[RetiredVehicle],
    warrants: Sequence[Warrant],
) -> list[Stop]:
    stops = []
    for j, v in enumerate(fleet):
        people = (
            (Person(f"E{j:08d}", "VE"),)
            if j % 2
            else (Person(f"E{j:08d}", "VE"), Person(f"E{j + 1:08d}", "CO"))
        )
        year = model_years(v.vin)[-1] if j % 2 else None
        stop = Stop(v.plate, "VE", v.vin, v.engine_number, year, people)
        if j % 50 == 7:  # 2%: hits of four kinds
            s = stolen[(j * 7919) % len(stolen)]
            kind = (j // 50) % 4
            if kind == 0:
                stop = Stop(s.plate, "VE", s.vin, s.engine_number, None, people)
            elif kind == 1:
                stop = Stop(
                    s.plate.translate(LOOK_ALIKE), "VE", v.vin, v.engine_number, None, people
                )
            elif kind == 2:
                w = warrants[j % len(warrants)]
                stop = Stop(
                    v.plate, "VE", v.vin, v.engine_number, None, (Person(w.national_id, "VE"),)
                )
            elif retired:
                stop = Stop(None, "VE", retired[j % len(retired)].vin, None, None, people)
        stops.append(stop)
    return stops


def bare_loop(hotlist: Hotlist, stops: Sequence[Stop]) -> int:
    """The same lookups in the same dicts as the engine's screen, and nothing else."""
    sv, sp, so, se = (
        hotlist.stolen_vin,
        hotlist.stolen_plate,
        hotlist.stolen_ocr,
        hotlist.stolen_engine,
    )
    rv, rp, re = hotlist.vehicle_vin, hotlist.vehicle_plate, hotlist.vehicle_engine
    tv, te, wp = hotlist.retired_vin, hotlist.retired_engine, hotlist.warrant_person
    empty: dict[str, object] = {}
    found = 0
    for s in stops:
        vin, plate_, engine, country = s.vin, s.plate or "", s.engine_number, s.plate_country
        a = sv.get(vin)  # type: ignore[arg-type]
        b = sp.get(country, empty).get(plate_)
        c = so.get(plate_.translate(OCR_TABLE))
        d = se.get(engine)  # type: ignore[arg-type]
        rv.get(vin)  # type: ignore[arg-type]
        rp.get(country, empty).get(plate_)
        re.get(engine)  # type: ignore[arg-type]
        e = tv.get(vin)  # type: ignore[arg-type]
        f = te.get(engine)  # type: ignore[arg-type]
        for p in s.people:
            if wp.get(p.country, empty).get(p.national_id) is not None:
                found += 1
        if a is not None or b is not None or c is not None or d is not None or e or f:
            found += 1
    return found


def best_of(runs: int, fn: Callable[[], object], before: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(runs):
        before()
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run_one(n: int, stops_wanted: int) -> None:
    base = rss_mb()
    gc.disable()
    hotlist, stops, gen_s, put_s = build(n, stops_wanted)
    gc.freeze()  # what the loader should do after its initial load
    gc.enable()
    built = rss_mb()
    entries = len(hotlist)
    print(f"\n== N = {n:,} stolen; hotlist {entries:,} entries {hotlist.counts()}")
    print(f"build: generate {gen_s:.1f} s, insert {put_s:.1f} s ({entries / put_s:,.0f} puts/s)")
    print(f"RSS (ru_maxrss): {built:,.0f} MB, {(built - base) * 2**20 / entries:,.0f} B/entry")

    engine = Engine(hotlist)
    check = engine.check

    def run_engine(batch: Sequence[Stop]) -> None:
        for s in batch:
            check(s, NOW)

    verdicts: dict[str, int] = {}
    for s in stops:
        v = check(s, NOW).verdict
        verdicts[v] = verdicts.get(v, 0) + 1
    clean = [s for s in stops if check(s, NOW).verdict == "clear"]
    dirty = [s for s in stops if check(s, NOW).verdict != "clear"]
    t_engine = best_of(3, lambda: run_engine(stops), engine.clear_vin_cache)
    t_bare = best_of(3, lambda: bare_loop(hotlist, stops), lambda: None)
    t_clean = best_of(3, lambda: run_engine(clean), engine.clear_vin_cache)
    t_dirty = best_of(3, lambda: run_engine(dirty), engine.clear_vin_cache)
    engine.clear_vin_cache()
    latencies = []
    clock = time.perf_counter_ns
    for s in stops:
        started = clock()
        check(s, NOW)
        latencies.append(clock() - started)
    latencies.sort()
    k = len(stops)
    print(f"stops: {k:,} {verdicts}")
    print(f"engine.check : {k / t_engine:12,.0f} checks/s  ({t_engine / k * 1e6:.2f} us/check)")
    print(f"bare lookups : {k / t_bare:12,.0f} stops/s   ({t_bare / k * 1e6:.2f} us/stop)")
    print(f"ratio engine/bare: {t_bare / t_engine:.2f}  (target >= 0.33)")
    print(
        f"  clean stops only: {len(clean) / t_clean:,.0f} checks/s; "
        f"hit/irregular stops only: {len(dirty) / t_dirty:,.0f} checks/s"
    )
    p50, p99 = latencies[k // 2] / 1000, latencies[k * 99 // 100] / 1000
    print(
        f"  latency (with timer overhead): p50 {p50:.2f} us, p99 {p99:.2f} us, "
        f"max {latencies[-1] / 1000:.0f} us"
    )
    print(f"RSS at end: {rss_mb():,.0f} MB")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100000,10000000", help="comma-separated N")
    parser.add_argument("--stops", type=int, default=200_000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process
    args = parser.parse_args(argv)
    if args.one is not None:
        run_one(args.one, args.stops)
        return
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(
        f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )
    try:
        with open("/proc/meminfo") as meminfo:
            print(f"memory: {int(next(meminfo).split()[1]) / 2**20:.1f} GiB total")
    except OSError:
        pass
    for n in (int(s) for s in args.sizes.split(",")):
        sys.stdout.flush()
        child = [sys.executable, __file__, "--one", str(n), "--stops", str(args.stops)]
        code = subprocess.call(child)
        if code:
            print(f"N = {n:,}: the run failed with exit code {code} (out of memory?)")


if __name__ == "__main__":
    main()
