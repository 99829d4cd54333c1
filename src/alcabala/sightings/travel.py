"""Impossible travel: the same plate seen at two places farther apart than any vehicle
could drive in the time between them. Pure and in memory; :mod:`.detector` feeds it.

What: :class:`TravelWindow` keeps, per *folded* plate (look-alike characters folded, so
that a camera's 0-for-O misread still pairs with the true read:
:func:`alcabala.identifiers.ocr_key`), every sighting of the last ``window`` seconds. A new
sighting is compared with **all** of them, not only the previous one (a clone seen between
two reads of the original would hide the pair otherwise). For each pair:

- the distance is the great-circle distance, a lower bound on any road between them;
- the time is the gap *plus* twice ``skew`` seconds: each of the two cameras' clocks may
  be off by that much, so the real gap may be that much longer, and the detector must
  assume the slowest trip the stamps allow;
- the pair is impossible when distance ÷ time exceeds the speed limit of the faster road
  class of the two places (:func:`speed_limit`), and the places are at least ``min_km``
  apart (two cameras on one junction are not a clone).

Because the distance is a lower bound and the time an upper bound, the speed computed is
a lower bound on the real one: a pair flagged needs at least that speed. (An earlier
draft *subtracted* the skew, which accuses fast drivers between neighbouring checkpoints:
the quality benchmark in ``bench/bench_sightings.py`` measured its precision at 0.61.)

Why tuples and a deque per key: this runs for every check and every camera read of a
national network (a UK-scale day is 60 million reads); see ``bench/sightings.py``.
"""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple

EARTH_KM = 6371.0088
#: Lower-bound speeds (km/h, great-circle) above which no vehicle travels, by road class:
#: the legal limits of Venezuela's roads (autopista 120, troncal 100, local 80) with a
#: generous margin for speeding, since the detector must not accuse a fast driver.
SPEEDS = {"autopista": 180.0, "troncal": 160.0, "local": 140.0}
DEFAULT_SPEED = SPEEDS["troncal"]


class Seen(NamedTuple):
    """One sighting, as the window keeps it."""

    key: str  # the folded plate
    plate: str
    at: float  # seconds since the epoch
    lat: float
    lon: float
    limit: float  # km/h, of the place's road class
    source: str  # check | camera
    source_id: int
    place: int | None  # checkpoint id


class Pair(NamedTuple):
    earlier: Seen
    later: Seen
    km: float
    kmh: float


def speed_limit(road: str | None) -> float:
    """The lower-bound speed limit of a place from its road's name ("Autopista Regional
    del Centro", "Troncal 2", "Local 5")."""
    name = (road or "").casefold()
    for word, limit in SPEEDS.items():
        if word in name:
            return limit
    return DEFAULT_SPEED


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on the mean Earth sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


class TravelWindow:
    """The recent sightings per folded plate, and the impossible pairs each new one makes."""

    def __init__(self, window: float = 6 * 3600, skew: float = 120, min_km: float = 5) -> None:
        self.window = window
        self.skew = skew
        self.min_km = min_km
        #: Per folded plate: (sighting, latitude and longitude in radians, cos latitude).
        self._by_key: dict[str, deque[tuple[Seen, float, float, float]]] = {}
        #: (time, plate) in arrival order: what to forget once it leaves the window.
        self._order: deque[tuple[float, str]] = deque()
        self._newest = 0.0

    def __len__(self) -> int:
        return sum(len(q) for q in self._by_key.values())

    def add(self, seen: Seen) -> list[Pair]:
        """Keep ``seen``; the impossible pairs it makes with what the window holds."""
        if seen.at > self._newest:
            self._newest = seen.at
        lat, lon = math.radians(seen.lat), math.radians(seen.lon)
        entry = (seen, lat, lon, math.cos(lat))
        horizon = self._newest - self.window
        order, by_key = self._order, self._by_key
        while order and order[0][0] < horizon:  # forget what left the window, oldest first
            key = order.popleft()[1]
            old = by_key.get(key)
            if old is None:
                continue
            while old and old[0][0].at < horizon:
                old.popleft()
            if not old:
                del by_key[key]
        order.append((seen.at, seen.key))
        queue = by_key.get(seen.key)
        if queue is None:
            by_key[seen.key] = deque((entry,))
            return []
        while queue and queue[0][0].at < horizon:
            queue.popleft()
        found: list[Pair] = []
        window, slack, min_km, at, limit = (
            self.window,
            2 * self.skew,
            self.min_km,
            seen.at,
            seen.limit,
        )
        sin, asin, sqrt = math.sin, math.asin, math.sqrt
        for other, olat, olon, ocos in queue:
            gap = at - other.at if at >= other.at else other.at - at
            if gap > window:
                continue
            h = sin((lat - olat) / 2) ** 2 + entry[3] * ocos * sin((lon - olon) / 2) ** 2
            km = 2 * EARTH_KM * asin(sqrt(h) if h < 1 else 1.0)
            if km < min_km:
                continue
            kmh = km * 3600.0 / (gap + slack)
            if kmh > (limit if limit > other.limit else other.limit):
                first, second = (other, seen) if other.at <= at else (seen, other)
                found.append(Pair(first, second, km, kmh))
        queue.append(entry)
        return found
