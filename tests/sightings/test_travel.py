"""The impossible-travel window, property-based: a trip any vehicle could make is never
flagged, whatever the cameras' clocks did within the tolerance; one no vehicle could make
is; every pair in the window counts, not only consecutive sightings; look-alike misreads
pair with the true plate."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from alcabala.identifiers import ocr_key
from alcabala.sightings.travel import SPEEDS, Seen, TravelWindow, great_circle_km, speed_limit

LAT = st.floats(min_value=0.5, max_value=12.0)
LON = st.floats(min_value=-73.0, max_value=-59.0)
SKEW = 120.0


def seen(plate: str, at: float, lat: float, lon: float, n: int, road: str = "Troncal 2") -> Seen:
    return Seen(ocr_key(plate), plate, at, lat, lon, speed_limit(road), "camera", n, None)


@settings(max_examples=300, deadline=None)
@given(
    LAT,
    LON,
    LAT,
    LON,
    st.floats(min_value=20, max_value=150),
    st.floats(min_value=-SKEW, max_value=SKEW),
    st.floats(min_value=-SKEW, max_value=SKEW),
    st.floats(min_value=1.0, max_value=1.6),
)
def test_a_possible_trip_is_never_flagged(
    lat1: float,
    lon1: float,
    lat2: float,
    lon2: float,
    kmh: float,
    e1: float,
    e2: float,
    detour: float,
) -> None:
    km = great_circle_km(lat1, lon1, lat2, lon2) * detour  # a road is never shorter
    true_gap = km / kmh * 3600
    window = TravelWindow(window=10 * 86400, skew=SKEW)
    window.add(seen("AB123CD", 1000 + e1, lat1, lon1, 1))
    assert window.add(seen("AB123CD", 1000 + true_gap + e2, lat2, lon2, 2)) == []


@settings(max_examples=300, deadline=None)
@given(LAT, LON, LAT, LON, st.floats(min_value=0, max_value=3600))
def test_a_trip_faster_than_any_road_allows_is_flagged(
    lat1: float, lon1: float, lat2: float, lon2: float, gap: float
) -> None:
    km = great_circle_km(lat1, lon1, lat2, lon2)
    window = TravelWindow(window=86400, skew=SKEW)
    window.add(seen("AB123CD", 0, lat1, lon1, 1))
    pairs = window.add(seen("AB123CD", gap, lat2, lon2, 2))
    needed = km / ((gap + 2 * SKEW) / 3600)
    assert bool(pairs) == (km >= 5 and needed > SPEEDS["troncal"])
    for pair in pairs:
        assert math.isclose(pair.km, km) and pair.kmh > SPEEDS["troncal"]


def test_every_pair_in_the_window_counts_and_misreads_fold() -> None:
    window = TravelWindow(window=6 * 3600, skew=SKEW)
    aldao, near, far = (8.87, -67.43), (8.90, -67.44), (7.81, -72.44)
    assert window.add(seen("AB123CD", 0, *aldao, 1)) == []
    assert window.add(seen("AB123CD", 600, *near, 2)) == []  # the same car, 3 km on
    # A clone 560 km away 20 minutes later: impossible from both earlier sightings.
    pairs = window.add(seen("A8123C0", 1200, *far, 3))  # read with 8 for B and 0 for D
    assert sorted(p.earlier.source_id for p in pairs) == [1, 2]
    assert {p.later.plate for p in pairs} == {"A8123C0"}
    # Another plate, the window's end: nothing.
    assert window.add(seen("XY987ZW", 1300, *far, 4)) == []
    assert window.add(seen("AB123CD", 7 * 3600 + 1200, *aldao, 5)) == []  # the clone left it


def test_the_road_class_sets_the_limit() -> None:
    assert speed_limit("Autopista Regional del Centro") == SPEEDS["autopista"]
    assert speed_limit("Local 5") == SPEEDS["local"]
    assert speed_limit(None) == speed_limit("Troncal 2") == SPEEDS["troncal"]


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.", max_size=12))
def test_folding_a_stored_plate_is_its_ocr_key(text: str) -> None:
    from alcabala.identifiers.plates import fold, normalize_plate

    assert fold(normalize_plate(text)) == ocr_key(text)


def test_the_window_forgets_what_left_it() -> None:
    window = TravelWindow(window=3600, skew=SKEW)
    for n in range(1000):
        window.add(seen(f"AB{n:03d}CD", n, 8.87, -67.43, n))
    assert len(window) == 1000
    window.add(seen("XY987ZW", 3600 + 1000, 7.81, -72.44, 1000))
    assert len(window) == 1  # only what is still within the hour
