"""Benchmark: sighting ingest plus impossible-travel detection, and its quality.

**Throughput.** N synthetic camera reads (plates in Venezuelan format over a national road
graph) go through what the detector does per read — fold the stored, normalized plate
(:func:`~alcabala.identifiers.plates.fold`), build its window entry and compare it with every
sighting of that folded plate in the window (:class:`~alcabala.sightings.travel.
TravelWindow`) — against a baseline that only folds the plate and appends the read to a
dict of lists. It prints reads per second on one core, the ratio to the baseline, and the
extrapolation of a UK-scale day (60 million reads) on this machine's cores.

**Quality.** A synthetic day on a road graph: checkpoints scattered over Venezuela's extent,
each linked to its nearest neighbours by roads 15–45 % longer than the straight line, in
three road classes; vehicles drive walks of one to eight hops at 40–110 km/h (a few at
130); each passage is read by the checkpoint's camera with probability 0.8, stamped by a
camera clock off by up to ±110 s; 2 % of reads misread one character as a look-alike
(O/D/Q/0, B/8, I/1, Z/2, S/5, G/6), 0.5 % misread it as anything. 1 % of plates are
cloned: a second vehicle with the same plate makes its own trips elsewhere the same day.
A clone is *detectable* when its two vehicles were, by their true times and places,
somewhere no vehicle could drive between within the window. Precision is the share of
plates alerted that are cloned; recall the share of detectable clones alerted (and of all
clones). Rows vary the detector: without clock-skew tolerance, without OCR folding.

    .venv/bin/python bench/bench_sightings.py [--reads 2000000] [--vehicles 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from alcabala.identifiers import ocr_key
from alcabala.identifiers.plates import fold
from alcabala.sightings.travel import SPEEDS, Seen, TravelWindow, great_circle_km

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q on Venezuelan plates
LOOK_ALIKES = {
    "O": "D0Q",
    "D": "O0Q",
    "Q": "O0D",
    "0": "ODQ",
    "B": "8",
    "8": "B",
    "I": "1",
    "1": "I",
    "Z": "2",
    "2": "Z",
    "S": "5",
    "5": "S",
    "G": "6",
    "6": "G",
}
CLASSES = (("autopista", 0.2), ("troncal", 0.5), ("local", 0.3))
WINDOW = 6 * 3600


@dataclass
class Place:
    lat: float
    lon: float
    limit: float
    skew: float
    roads: list[tuple[int, float]]  # (neighbour, road km)


def plate(rng: random.Random) -> str:
    return (
        rng.choice(LETTERS)
        + rng.choice(LETTERS)
        + f"{rng.randrange(1000):03d}"
        + rng.choice(LETTERS)
        + rng.choice(LETTERS)
    )


def graph(rng: random.Random, n: int) -> list[Place]:
    places = []
    for _ in range(n):
        kind = rng.choices([c for c, _ in CLASSES], [w for _, w in CLASSES])[0]
        skew = max(-110.0, min(110.0, rng.gauss(0, 45)))
        places.append(
            Place(rng.uniform(1.5, 11.5), rng.uniform(-72.5, -60.5), SPEEDS[kind], skew, [])
        )
    for i, p in enumerate(places):
        near = sorted(
            range(n), key=lambda j: great_circle_km(p.lat, p.lon, places[j].lat, places[j].lon)
        )
        for j in near[1:5]:
            km = great_circle_km(p.lat, p.lon, places[j].lat, places[j].lon) * rng.uniform(
                1.15, 1.45
            )
            p.roads.append((j, km))
            places[j].roads.append((i, km))
    return places


def trip(rng: random.Random, places: list[Place]) -> list[tuple[float, int]]:
    """(true time, place) of one vehicle's passages in a day."""
    at, here = rng.uniform(0, 20 * 3600), rng.randrange(len(places))
    out = [(at, here)]
    for _ in range(rng.randint(1, 8)):
        there, km = rng.choice(places[here].roads)
        speed = rng.uniform(40, 110) if rng.random() > 0.02 else 130.0
        at += km / speed * 3600
        here = there
        out.append((at, here))
    return out


def misread(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text))
    if rng.random() < 0.8 and text[i] in LOOK_ALIKES:
        return text[:i] + rng.choice(LOOK_ALIKES[text[i]]) + text[i + 1 :]
    return text[:i] + rng.choice(LETTERS + "0123456789") + text[i + 1 :]


def day(rng: random.Random, vehicles: int, checkpoints: int):  # type: ignore[no-untyped-def]
    places = graph(rng, checkpoints)
    plates = sorted({plate(rng) for _ in range(vehicles)})  # sorted: the same day every run
    cloned = set(rng.sample(plates, len(plates) // 100))
    reads = []  # (stamped time, plate read, place, true plate, copy)
    passages: dict[str, list[list[tuple[float, int]]]] = defaultdict(list)
    for p in plates:
        for copy in range(2 if p in cloned else 1):
            route = trip(rng, places)
            passages[p].append([])
            for at, where in route:
                if rng.random() > 0.8:
                    continue
                passages[p][-1].append((at, where))  # what a camera read, at the true time
                r = rng.random()
                text = misread(rng, p) if r < 0.025 else p
                reads.append((at + places[where].skew, text, where, p, copy))
    reads.sort()
    return places, plates, cloned, reads, passages


def detectable(places: list[Place], routes: list[list[tuple[float, int]]]) -> bool:
    """By the true times and places of their reads, were the two copies ever impossibly far
    apart (whatever the cameras' clocks and misreads then made of it)?"""
    a, b = routes
    for ta, pa in a:
        for tb, pb in b:
            gap = abs(ta - tb)
            if gap > WINDOW:
                continue
            km = great_circle_km(places[pa].lat, places[pa].lon, places[pb].lat, places[pb].lon)
            if km >= 5 and km / max(gap, 1.0) * 3600 > max(places[pa].limit, places[pb].limit):
                return True
    return False


def detect(places: list[Place], reads: list, skew: float, fold: bool) -> set[str]:  # type: ignore[type-arg]
    window = TravelWindow(WINDOW, skew)
    alerted: set[str] = set()
    for n, (at, text, where, _, _) in enumerate(reads):
        p = places[where]
        key = ocr_key(text) if fold else text
        for pair in window.add(Seen(key, text, at, p.lat, p.lon, p.limit, "camera", n, where)):
            alerted.add(pair.earlier.key)
    return alerted


def quality(vehicles: int, checkpoints: int, seed: int) -> None:
    rng = random.Random(seed)
    places, plates, cloned, reads, passages = day(rng, vehicles, checkpoints)
    truth = {ocr_key(p) for p in cloned}
    can = {ocr_key(p) for p in cloned if detectable(places, passages[p])}
    print(
        f"\nquality: {len(plates):,} plates, {len(cloned):,} cloned ({len(can):,} detectable), "
        f"{len(reads):,} reads at {checkpoints} checkpoints"
    )
    print("| detector | alerted plates | precision | recall (detectable) | recall (all clones) |")
    print("|---|---|---|---|---|")
    for name, skew, folding in (
        ("as shipped: ±120 s per camera clock, OCR folding", 120.0, True),
        ("no clock-skew tolerance", 0.0, True),
        ("no OCR folding", 120.0, False),
    ):
        found = detect(places, reads, skew, folding)
        keys = {ocr_key(k) for k in found}
        hits = keys & truth
        precision = len(hits) / len(keys) if keys else 1.0
        among = len(keys & can) / max(len(can), 1)
        overall = len(hits) / max(len(truth), 1)
        print(f"| {name} | {len(keys):,} | {precision:.3f} | {among:.3f} | {overall:.3f} |")


def throughput(n: int, seed: int) -> None:
    rng = random.Random(seed)
    places = graph(rng, 300)
    plates = [plate(rng) for _ in range(n // 2)]
    reads = [(i * 86400.0 / n, rng.choice(plates), rng.randrange(300)) for i in range(n)]
    start = time.perf_counter()
    base: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for at, text, where in reads:
        base[fold(text)].append((text, at, where))
    baseline = time.perf_counter() - start
    window = TravelWindow(WINDOW, 120.0)
    pairs = 0
    start = time.perf_counter()
    for i, (at, text, where) in enumerate(reads):
        p = places[where]
        pairs += len(
            window.add(Seen(fold(text), text, at, p.lat, p.lon, p.limit, "camera", i, where))
        )
    spent = time.perf_counter() - start
    rate, cores = n / spent, os.cpu_count() or 1
    print(
        f"throughput: {n:,} reads, {len(plates):,} plates, 300 checkpoints; {pairs:,} pairs flagged"
    )
    print(f"  baseline (fold + append): {n / baseline:,.0f} reads/s")
    print(
        f"  detector (fold + window + all pairs): {rate:,.0f} reads/s on one core; "
        f"ratio to baseline {spent / baseline:.2f}"
    )
    print(f"  a 60,000,000-read day on {cores} cores: {60e6 / (rate * cores) / 60:.1f} min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2_000_000)
    parser.add_argument("--vehicles", type=int, default=100_000)
    parser.add_argument("--checkpoints", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    throughput(args.reads, args.seed)
    quality(args.vehicles, args.checkpoints, args.seed)


if __name__ == "__main__":
    main()
