"""Who may change whose records: every changing service × every kind of actor.

The owning agency's users change a record; users of another agency, users of no agency and
the administrator never do; the system (sweeps, imports) acts for every agency, except that
a re-validation is always a person's word. New records belong to the actor's own agency: a
request naming another agency is refused. Roles are checked at the routes
(``tests/api/test_roles.py``); this matrix checks the agencies, in the services, on both
databases, and that a refused change leaves nothing behind. ``test_api_*`` runs the same
same-agency/other-agency pairs through the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from alcabala.accounts.models import Agency
from alcabala.accounts.services import add_agency, add_user
from alcabala.context import SYSTEM, Actor, Ctx, Door
from alcabala.db.engine import read_session
from alcabala.db.history import Change
from alcabala.errors import ForbiddenError
from alcabala.livestock import services as livestock
from alcabala.livestock.schemas import LivestockTheftIn, PermitIn, PremisesIn
from alcabala.persons import services as persons
from alcabala.persons.schemas import WarrantIn
from alcabala.records import services as records
from alcabala.vehicles import services as vehicles
from alcabala.vehicles.schemas import StolenReportIn, VehicleIn

from ..helpers import PASSWORD, console_login

VIN, VIN2 = "1M8GDM9AXKP042788", "9BWZZZ377VT004251"
# actor name → (role, agency code or None)
ACTORS: dict[str, tuple[str, str | None]] = {
    "police": ("registrar", "CICPC"),
    "other_police": ("registrar", "PNB"),
    "no_agency": ("registrar", None),
    "court": ("court", "TSJ-GUA"),
    "other_court": ("court", "TSJ-CAR"),
    "livestock": ("livestock", "INSAI"),
    "other_livestock": ("livestock", "INSAI-ZUL"),
    "admin": ("admin", None),
}


@dataclass
class World:
    door: Door
    actors: dict[str, Actor]
    ids: dict[str, int]


@pytest.fixture
def world(door: Door) -> World:
    """A CICPC stolen report, a TSJ-GUA warrant, an INSAI permit and an INSAI theft report."""
    now = door.clock.now()
    actors: dict[str, Actor] = {}
    with door.write(SYSTEM) as ctx:
        s = ctx.session
        for code in ("CICPC", "PNB", "TSJ-GUA", "TSJ-CAR", "INSAI", "INSAI-ZUL"):
            add_agency(s, code, f"Agency {code}", "police")
        for name, (role, agency) in ACTORS.items():
            user, _ = add_user(s, name.replace("_", "-"), role, agency)
            actors[name] = Actor(user.id, user.username, role, user.agency_id)
        vehicles.register_vehicle(ctx, VehicleIn.model_validate({"vin": VIN, "plate": "AB123CD"}))
        vehicles.register_vehicle(ctx, VehicleIn.model_validate({"vin": VIN2, "plate": "XY999ZZ"}))
        report = vehicles.report_stolen(ctx, VIN, StolenReportIn(number="R-1", agency="CICPC"))
        warrant = persons.issue_warrant(ctx, _warrant_in("W-1", now))
        for code in ("P-1", "P-2"):
            livestock.register_premises(ctx, PremisesIn(code=code, name=code))
        permit = livestock.issue_permit(ctx, _permit_in("G-1", now, "INSAI"))
        theft = livestock.report_livestock_theft(ctx, _theft_in("T-1", "INSAI"))
        ids = {"report": report.id, "warrant": warrant.id, "permit": permit.id, "theft": theft.id}
    return World(door, actors, ids)


def _warrant_in(number: str, now: dt.datetime, agency: str | None = "TSJ-GUA") -> WarrantIn:
    return WarrantIn.model_validate(
        {
            "number": number, "agency": agency, "national_id": "V7654321", "court": "T3",
            "case_number": "3C-1", "offence": "Robo", "issued_at": now - dt.timedelta(days=1),
        }
    )  # fmt: skip


def _permit_in(number: str, now: dt.datetime, issuer: str | None) -> PermitIn:
    return PermitIn.model_validate(
        {
            "number": number, "issuer": issuer, "origin_premises": "P-1",
            "destination_premises": "P-2", "vehicle_plate": "XY999ZZ",
            "valid_from": now - dt.timedelta(hours=1), "valid_to": now + dt.timedelta(days=1),
            "lines": [{"species": "bovine", "head_count": 2}],
        }
    )  # fmt: skip


def _theft_in(number: str, agency: str | None) -> LivestockTheftIn:
    return LivestockTheftIn.model_validate(
        {"number": number, "agency": agency, "brand": "LP", "head_count": 3, "species": "bovine"}
    )


# service name → (call, owner actor name; None: the system may not either)
Call = Callable[[Ctx, World], object]
SERVICES: dict[str, tuple[Call, str]] = {
    "recover": (lambda c, w: vehicles.recover(c, w.ids["report"], "found"), "police"),
    "cancel_report": (lambda c, w: vehicles.cancel_report(c, w.ids["report"], "error"), "police"),
    "report_stolen": (
        lambda c, w: vehicles.report_stolen(c, VIN2, StolenReportIn(number="R-2", agency="CICPC")),
        "police",
    ),
    "retire_vehicle": (
        lambda c, w: vehicles.retire_vehicle(
            c, VIN2, vehicles.RetirementIn(kind="scrapped", agency="CICPC")
        ),
        "police",
    ),
    "issue_warrant": (lambda c, w: persons.issue_warrant(c, _warrant_in("W-2", c.now())), "court"),
    "execute_warrant": (lambda c, w: persons.execute_warrant(c, w.ids["warrant"], "x"), "court"),
    "cancel_warrant": (lambda c, w: persons.cancel_warrant(c, w.ids["warrant"], "x"), "court"),
    "issue_permit": (
        lambda c, w: livestock.issue_permit(c, _permit_in("G-2", c.now(), "INSAI")),
        "livestock",
    ),
    "cancel_permit": (lambda c, w: livestock.cancel_permit(c, w.ids["permit"], "x"), "livestock"),
    "report_theft": (
        lambda c, w: livestock.report_livestock_theft(c, _theft_in("T-2", "INSAI")),
        "livestock",
    ),
    "recover_livestock": (
        lambda c, w: livestock.recover_livestock(c, w.ids["theft"], "found"),
        "livestock",
    ),
    "cancel_theft": (
        lambda c, w: livestock.cancel_livestock_theft(c, w.ids["theft"], "x"),
        "livestock",
    ),
    "validate_report": (lambda c, w: records.validate(c, "R-1"), "police"),
    "validate_warrant": (lambda c, w: records.validate(c, "W-1"), "court"),
}
NOT_BY_THE_SYSTEM = {"validate_report", "validate_warrant"}


def _changes(door: Door) -> int:
    with read_session(door.engine) as s:
        return s.scalar(select(func.count()).select_from(Change)) or 0


@pytest.mark.parametrize("actor", [*ACTORS, "system"])
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_only_the_owning_agency_changes_a_record(world: World, service: str, actor: str) -> None:
    call, owner = SERVICES[service]
    who = SYSTEM if actor == "system" else world.actors[actor]
    allowed = actor == owner or (actor == "system" and service not in NOT_BY_THE_SYSTEM)
    before = _changes(world.door)
    if allowed:
        with world.door.write(who) as ctx:
            call(ctx, world)
        assert _changes(world.door) > before
        return
    with pytest.raises(ForbiddenError) as err, world.door.write(who) as ctx:
        call(ctx, world)
    assert err.value.code in {"not_owner", "no_agency"}, err.value.message
    assert _changes(world.door) == before, "a refused change leaves nothing behind"


@pytest.mark.parametrize(
    ("service", "named"),
    [("report_stolen", "agency"), ("issue_warrant", "agency"), ("issue_permit", "issuer")],
)
def test_a_new_record_belongs_to_the_actor_agency(world: World, service: str, named: str) -> None:
    """Naming no agency files for one's own; naming another is refused, never rewritten."""
    now = world.door.clock.now()
    make: dict[str, tuple[str, Callable[[Ctx, str | None], Any]]] = {
        "report_stolen": (
            "police",
            lambda c, a: vehicles.report_stolen(c, VIN2, StolenReportIn(number="R-3", agency=a)),
        ),
        "issue_warrant": (
            "court",
            lambda c, a: persons.issue_warrant(c, _warrant_in("W-3", now, a)),
        ),
        "issue_permit": (
            "livestock",
            lambda c, a: livestock.issue_permit(c, _permit_in("G-3", now, a)),
        ),
    }
    who, create = make[service]
    actor = world.actors[who]
    with pytest.raises(ForbiddenError) as err, world.door.write(actor) as ctx:
        create(ctx, "PNB")
    assert (err.value.code, err.value.field) == ("not_owner", named)
    with world.door.write(actor) as ctx:
        record = create(ctx, None)
        owner_id = getattr(record, "agency_id", None) or record.issuer_agency_id
    with read_session(world.door.engine) as s:
        assert s.get(Agency, owner_id).id == actor.agency_id  # type: ignore[union-attr]


# --- the same pairs through the API ---------------------------------------------------------

API_ROUTES = [
    ("POST", "/v1/stolen-reports/{report}/recover", {"reason": "x"}),
    ("POST", "/v1/stolen-reports/{report}/cancel", {"reason": "x"}),
    ("POST", "/v1/warrants/{warrant}/execute", {"reason": "x"}),
    ("POST", "/v1/warrants/{warrant}/cancel", {"reason": "x"}),
    ("POST", "/v1/permits/{permit}/cancel", {"reason": "x"}),
    ("POST", "/v1/livestock-thefts/{theft}/recover", {"reason": "x"}),
    ("POST", "/v1/livestock-thefts/{theft}/cancel", {"reason": "x"}),
    ("POST", "/v1/records/R-1/validate", {}),
]


@pytest.fixture
def api_world(api: Any, engine: Any) -> dict[str, Any]:
    """The records of the matrix, each owned by the agency of one of the api fixture's users:
    CICPC (registrar), TSJ-GUA (court), INSAI (livestock); plus a PNB registrar, a TSJ-CAR
    court user and an INSAI-ZUL livestock user."""
    door: Door = api.app.state.door
    now = api.clock.now()
    with door.write(SYSTEM) as ctx:
        for code in ("PNB", "TSJ-CAR", "INSAI-ZUL"):
            add_agency(ctx.session, code, f"Agency {code}", "police")
        for name, role, agency in [
            ("other-registrar", "registrar", "PNB"),
            ("other-court", "court", "TSJ-CAR"),
            ("other-livestock", "livestock", "INSAI-ZUL"),
        ]:
            _, api.tokens[name] = add_user(ctx.session, name, role, agency)
        vehicles.register_vehicle(ctx, VehicleIn.model_validate({"vin": VIN, "plate": "AB123CD"}))
        report = vehicles.report_stolen(ctx, VIN, StolenReportIn(number="R-1", agency="CICPC"))
        warrant = persons.issue_warrant(ctx, _warrant_in("W-1", now))
        for code in ("P-1", "P-2"):
            livestock.register_premises(ctx, PremisesIn(code=code, name=code))
        permit = livestock.issue_permit(ctx, _permit_in("G-1", now, "INSAI"))
        theft = livestock.report_livestock_theft(ctx, _theft_in("T-1", "INSAI"))
    return {"report": report.id, "warrant": warrant.id, "permit": permit.id, "theft": theft.id}


OWNER_OF = {"stolen-reports": "registrar", "warrants": "court", "permits": "livestock",
            "livestock-thefts": "registrar", "records": "registrar"}  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), API_ROUTES)
def test_api_other_agency_is_refused_and_owner_is_not(
    api: Any, engine: Any, api_world: dict[str, Any], method: str, path: str, body: dict[str, Any]
) -> None:
    url = path.format(**api_world)
    kind = path.split("/")[2]
    owner = OWNER_OF[kind]
    if kind == "livestock-thefts":
        owner = "livestock"  # T-1 is INSAI's
    other = {"registrar": "other-registrar", "court": "other-court", "livestock": "other-livestock"}
    headers = {"Authorization": f"Bearer {api.tokens[other[owner]]}"}
    refused = api.request(method, url, json=body, headers=headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "not_owner"
    allowed = api.request(method, url, json=body, headers=api.auth_for(owner))
    assert allowed.status_code == 200, allowed.text


# --- the same pairs through the console and the CLI -----------------------------------------

CONSOLE_ROUTES = [
    ("/registry/reports/{report}/recover", "registrar", {"reason": "x"}),
    ("/registry/reports/{report}/cancel", "registrar", {"reason": "x"}),
    ("/registry/warrants/{warrant}/execute", "court", {"reason": "x"}),
    ("/registry/warrants/{warrant}/cancel", "court", {"reason": "x"}),
    ("/livestock/permits/{permit}/cancel", "livestock", {"reason": "x"}),
    ("/livestock/thefts/{theft}/recover", "livestock", {"reason": "x"}),
    ("/livestock/thefts/{theft}/cancel", "livestock", {"reason": "x"}),
    ("/registry/due/R-1/validate", "registrar", {"note": "seen"}),
]
OTHER = {"registrar": "other-registrar", "court": "other-court", "livestock": "other-livestock"}


def _console(api: Any, username: str) -> tuple[Any, str]:
    from alcabala.accounts.passwords import hasher_for
    from alcabala.accounts.services import set_password

    door: Door = api.app.state.door
    with door.write(SYSTEM) as ctx:
        set_password(ctx.session, username, PASSWORD, hasher_for(ctx.settings))
    return console_login(api, username)


@pytest.mark.parametrize(("path", "owner", "body"), CONSOLE_ROUTES)
def test_console_other_agency_is_refused_and_owner_is_not(
    api: Any, api_world: dict[str, Any], path: str, owner: str, body: dict[str, Any]
) -> None:
    url = path.format(**api_world)
    other, other_csrf = _console(api, OTHER[owner])
    refused = other.post(url, data={**body, "csrf_token": other_csrf, "confirmed": "1"})
    assert refused.status_code == 403, refused.text
    assert refused.headers["x-alcabala-error"] == "not_owner"
    mine, csrf = _console(api, owner)
    done = mine.post(
        url, data={**body, "csrf_token": csrf, "confirmed": "1"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text


def test_cli_revalidation_by_another_agency_is_refused(
    api: Any, api_world: dict[str, Any], db_url: str
) -> None:
    from typer.testing import CliRunner

    from alcabala.cli.main import app as cli

    runner = CliRunner()
    env = {"ALCABALA_DATABASE_URL": db_url}
    refused = runner.invoke(
        cli, ["records", "validate", "R-1", "--actor", "other-registrar"], env=env
    )
    assert refused.exit_code == 1 and "Only the agency that owns" in refused.stderr
    done = runner.invoke(cli, ["records", "validate", "R-1", "--actor", "registrar"], env=env)
    assert done.exit_code == 0, done.stderr


def test_a_registrar_of_no_agency_sees_no_hits(api: Any, api_world: dict[str, Any]) -> None:
    """Hits go to the agency owning the matched record; a user of no agency sees none."""
    import uuid

    door: Door = api.app.state.door
    with door.write(SYSTEM) as ctx:
        _, api.tokens["loose"] = add_user(ctx.session, "loose", "registrar")
    r = api.post(
        "/v1/checks",
        json={"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": "AB123CD"},
        headers=api.auth_for("officer"),
    )
    assert r.json()["verdict"] == "hit", r.text
    assert len(api.get("/v1/hits", headers=api.auth_for("registrar")).json()) == 1
    assert api.get("/v1/hits", headers=api.auth_for("loose")).json() == []
