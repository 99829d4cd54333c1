"""A stop's ``at`` lies within a window around the server's clock, or nothing is done.

Within ``Settings.offline_window_days`` (7) before the clock and ``CLOCK_SKEW`` (5 minutes)
after it;
anything else is 422 naming ``at`` (``stops.N.at`` in a batch: the batch is refused whole),
before anything is judged or recorded. No ``at`` at all, however extreme, is ever a 5xx.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from alcabala.accounts.models import AuditEntry
from alcabala.accounts.services import get_user
from alcabala.checks.models import Check, Hit
from alcabala.checks.runtime import CLOCK_SKEW, stop_window
from alcabala.checks.schemas import StopIn
from alcabala.config import Settings
from alcabala.context import Actor
from alcabala.db.engine import read_session
from alcabala.errors import ValidationError
from alcabala.sightings.models import Sighting

WINDOW = dt.timedelta(days=Settings().offline_window_days)
VIN = "1M8GDM9AXKP042788"


def on_the_apps_loop(api: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Await ``fn(*args, **kwargs)`` on the app's own event loop (the TestClient's portal),
    as a request would."""
    return api.portal.call(functools.partial(fn, *args, **kwargs))


def iso(at: dt.datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def stop(at: Any = None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "check_id": str(uuid.uuid4()),
        "checkpoint": "GUA-ALDAO",
        "plate": "XY999ZZ",
        **fields,
    }
    if at is not None:
        body["at"] = at
    return body


def counts(engine: Engine) -> tuple[int, int, int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Check)) or 0,
            s.scalar(select(func.count()).select_from(Hit)) or 0,
            s.scalar(select(func.count()).select_from(Sighting)) or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def stolen_vehicle(api: Any) -> None:
    for path, body in [
        ("/v1/vehicles", {"vin": VIN, "plate": "AB123CD"}),
        (f"/v1/vehicles/{VIN}/stolen-reports", {"number": "CICPC-2026-000001", "agency": "CICPC"}),
    ]:
        r = api.post(path, json=body, headers=api.auth_for("registrar"))
        assert r.status_code == 201, r.text


def test_the_edges_of_the_window_are_inside(api: Any) -> None:
    now = api.clock.now()
    for at in [now, now - WINDOW, now - WINDOW + dt.timedelta(seconds=1), now + CLOCK_SKEW]:
        r = api.post("/v1/checks", json=stop(iso(at)), headers=api.auth_for("officer"))
        assert r.status_code == 200, (at, r.text)
        assert dt.datetime.fromisoformat(r.json()["at"]) == at


@pytest.mark.parametrize(
    ("at", "code"),
    [
        ("9999-12-31T23:59:59Z", "at_in_future"),  # was an OverflowError, a 500
        ("9999-12-31", "at_in_future"),
        ("1900-01-01T00:00:00Z", "at_too_old"),  # timed its hits out at once
        ("0001-01-01T00:00:00Z", "at_too_old"),
        ("0001-01-01T00:00:00+14:00", "invalid"),  # before year 1 in UTC
        ("9999-12-31T23:59:59-12:00", "invalid"),  # after year 9999 in UTC
        ("2026-02-30T00:00:00Z", "invalid"),
        ("yesterday", "invalid"),
        (10**20, "invalid"),
    ],
)
def test_an_impossible_time_is_422_naming_at(api: Any, engine: Engine, at: Any, code: str) -> None:
    stolen_vehicle(api)
    before = counts(engine)
    r = api.post("/v1/checks", json=stop(at, vin=VIN), headers=api.auth_for("officer"))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "at" and r.json()["error"]["code"] == code, r.text
    assert counts(engine) == before


def test_just_outside_the_window_is_422(api: Any, engine: Engine) -> None:
    now = api.clock.now()
    cases = [
        (now + CLOCK_SKEW + dt.timedelta(seconds=1), "at_in_future"),
        (now + dt.timedelta(days=1), "at_in_future"),
        (now - WINDOW - dt.timedelta(seconds=1), "at_too_old"),
        (now - dt.timedelta(days=365), "at_too_old"),
    ]
    for at, code in cases:
        r = api.post("/v1/checks", json=stop(iso(at)), headers=api.auth_for("officer"))
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == (code, "at"), error
    assert counts(engine) == (0, 0, 0, 0)


def test_the_window_follows_the_servers_clock(api: Any) -> None:
    """The clock is the runtime's (its door's), not the machine's."""
    at = api.clock.now() + dt.timedelta(days=30)
    r = api.post("/v1/checks", json=stop(iso(at)), headers=api.auth_for("officer"))
    assert r.status_code == 422
    api.clock.advance(dt.timedelta(days=30))
    r = api.post("/v1/checks", json=stop(iso(at)), headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text


def test_one_bad_stop_refuses_a_batch_of_a_thousand_by_its_position(
    api: Any, engine: Engine
) -> None:
    stolen_vehicle(api)
    now = api.clock.now()
    stops = [stop(iso(now - dt.timedelta(minutes=i)), vin=VIN) for i in range(1000)]
    for position, at, code in [
        (637, "9999-12-31T23:59:59Z", "at_in_future"),
        (0, "1900-01-01T00:00:00Z", "at_too_old"),
        (999, iso(now - WINDOW - dt.timedelta(seconds=1)), "at_too_old"),
    ]:
        bad = [dict(s) for s in stops]
        bad[position]["at"] = at
        r = api.post("/v1/checks/batch", json={"stops": bad}, headers=api.auth_for("officer"))
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == (code, f"stops.{position}.at"), error
        assert counts(engine) == (0, 0, 0, 0)
    r = api.post("/v1/checks/batch", json={"stops": stops}, headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text
    assert counts(engine)[:2] == (1000, 1000)


def test_a_batch_names_the_position_of_any_bad_field(api: Any, engine: Engine) -> None:
    """Pydantic's own errors and the stop's own rules (plate, VIN, checkpoint) alike."""
    cases: list[tuple[dict[int, dict[str, Any]], str]] = [
        ({2: {"at": "not a time"}}, "stops.2.at"),
        ({2: {"vin": "123"}}, "stops.2.vin"),
        ({2: {"plate": "A B!"}}, "stops.2.plate"),
        ({2: {"checkpoint": "NOWHERE"}}, "stops.2.checkpoint"),
        ({1: {"declared_year": 3000}, 3: {"vin": "123"}}, "stops.3.vin"),
    ]
    for changes, field in cases:
        stops = [stop() for _ in range(4)]
        for position, change in changes.items():
            stops[position].update(change)
        r = api.post("/v1/checks/batch", json={"stops": stops}, headers=api.auth_for("officer"))
        assert 400 <= r.status_code < 500, r.text
        assert r.json()["error"]["field"] == field, (changes, r.json())
    assert counts(engine) == (0, 0, 0, 0)


def test_the_consoles_path_keeps_the_same_window(api: Any, engine: Engine) -> None:
    """The console's form goes through :meth:`Runtime.check` (it sends no ``at``: its stops
    are now); a stop from any door is held to the same window there."""
    runtime = api.app.state.runtime
    with read_session(engine) as s:
        user = get_user(s, "officer")
        actor = Actor(user.id, user.username, user.role, user.agency_id).via("web")
    far = api.clock.now() + dt.timedelta(days=3650)
    body = StopIn.model_validate(stop(iso(far)))
    with pytest.raises(ValidationError) as refused:
        on_the_apps_loop(api, runtime.check, [body], actor)
    assert (refused.value.code, refused.value.field) == ("at_in_future", "at")
    with pytest.raises(ValidationError) as refused:
        on_the_apps_loop(
            api, runtime.check, [StopIn.model_validate(stop()), body], actor, batch=True
        )
    assert refused.value.field == "stops.1.at"
    assert counts(engine) == (0, 0, 0, 0)
    (verdict,) = on_the_apps_loop(api, runtime.check, [StopIn.model_validate(stop())], actor)
    assert verdict.at == api.clock.now()


def test_stop_window_reads_the_settings(api: Any) -> None:
    now = api.clock.now()
    settings = api.app.state.door.settings
    assert stop_window(settings, now) == (now - WINDOW, now + CLOCK_SKEW)


# -- no ``at`` whatsoever is a server error ---------------------------------------------------

OFFSETS = st.integers(min_value=-1439, max_value=1439).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
ZONES = st.none() | st.just(dt.UTC) | OFFSETS
EXTREMES = [
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59.999999+00:00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+23:59",
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2038-01-19T03:14:08Z",
    "9999-12-31",
    "0001-01-01",
    "",
    "Z",
    "now",
    "\x00",
]
#: ("time", a datetime of any year and zone) | ("near", seconds from now) | ("raw", JSON)
AT = st.one_of(
    st.tuples(st.just("time"), st.datetimes(timezones=ZONES)),
    st.tuples(st.just("near"), st.integers(min_value=-8 * 86400, max_value=86400)),
    st.tuples(
        st.just("raw"),
        st.sampled_from(EXTREMES)
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=40)
        | st.none(),
    ),
)


def _admitted(at: dt.datetime, now: dt.datetime) -> bool:
    """Whether the window admits ``at`` as the API reads it (naive is UTC, to the second)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    try:
        at = at.astimezone(dt.UTC).replace(microsecond=0)
    except OverflowError:  # not a time in UTC at all
        return False
    return now - WINDOW <= at <= now + CLOCK_SKEW


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=AT, zone=ZONES, batch=st.booleans())
def test_no_at_whatsoever_is_a_server_error(
    api: Any, case: tuple[str, Any], zone: dt.tzinfo | None, batch: bool
) -> None:
    if not getattr(api, "stolen", False):  # once: a stop that hits computes deadlines
        stolen_vehicle(api)
        api.stolen = True
    now = api.clock.now()
    kind, value = case
    expected: bool | None = None  # 200 or 422, when the value says which
    if kind == "time":
        at, expected = value.isoformat(), _admitted(value, now)
    elif kind == "near":
        when = (now + dt.timedelta(seconds=value)).astimezone(zone or dt.UTC)
        at = when.replace(tzinfo=None).isoformat() if zone is None else when.isoformat()
        expected = -WINDOW <= dt.timedelta(seconds=value) <= CLOCK_SKEW
    else:
        at = value
        expected = True if value is None else None
    body = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "vin": VIN, "at": at}
    if batch:
        path, payload, field = "/v1/checks/batch", {"stops": [stop(), body]}, "stops.1.at"
    else:
        path, payload, field = "/v1/checks", body, "at"
    r = api.post(
        path,
        content=json.dumps(payload),
        headers={**api.auth_for("officer"), "content-type": "application/json"},
    )
    assert r.status_code in (200, 422), (at, r.status_code, r.text)
    if r.status_code == 422:
        assert r.json()["error"]["field"] == field, (at, r.text)
    if expected is not None:
        assert (r.status_code == 200) == expected, (at, r.text)
