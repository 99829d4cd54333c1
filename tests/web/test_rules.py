"""The console's rules, through TestClient on SQLite and PostgreSQL: every lookup says why,
destructive actions are confirmed (by the server, whatever the browser runs), hits show their
record's current state, and refused forms say which error refused them
(``X-Alcabala-Error``) with the API's status codes."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from sqlalchemy import Engine, select

from alcabala.accounts.models import AuditEntry
from alcabala.checks.models import Hit
from alcabala.context import SYSTEM
from alcabala.db.engine import read_session
from alcabala.persons.models import Warrant
from alcabala.vehicles.models import Retirement, StolenReport

OF, R = "officer", "registrar"
VIN = "1M8GDM9AXKP042788"
NATIONAL_ID = "V12345678"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def local(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _officer(pages: Any) -> Any:
    client = pages.login(OF)
    token = csrf_of(client.get("/console/checkpoint").text)
    client.post("/console/checkpoint", data={"checkpoint": "GUA-ALDAO", "csrf_token": token})
    return client


def _check(client: Any, **fields: Any) -> Any:
    page = client.get("/console").text
    check_id = re.search(r'name="check_id" value="([^"]+)"', page)
    assert check_id
    data = {"csrf_token": csrf_of(page), "check_id": check_id.group(1), **fields}
    return client.post("/console/check", data=data)


def _audits(engine: Engine) -> list[AuditEntry]:
    with read_session(engine) as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _vehicle(client: Any, vin: str = VIN, plate: str = "AB123CD") -> Any:
    page = client.get("/registry/new-vehicle").text
    return client.post(
        "/registry/new-vehicle",
        data={"csrf_token": csrf_of(page), "vin": vin, "plate": plate, "make": "Ford"},
    )


def _report(client: Any, number: str = "CICPC-1", agency: str = "CICPC", vin: str = VIN) -> Any:
    page = client.get("/registry").text
    return client.post(
        f"/registry/vehicles/{vin}/report",
        data={"csrf_token": csrf_of(page), "number": number, "agency": agency},
    )


def _warrant(pages: Any, client: Any, number: str = "OA-77") -> Any:
    form = client.get("/registry/warrants/new").text
    return client.post(
        "/registry/warrants/new",
        data={
            "csrf_token": csrf_of(form), "number": number, "agency": "CICPC",
            "national_id": NATIONAL_ID, "country": "VE", "court": "Tribunal 3 de Control",
            "case_number": "3C-1", "offence": "Robo",
            "issued_at": local(pages.now() - dt.timedelta(days=1)), "urgent": "1",
        },
    )  # fmt: skip


def _hidden(page: str) -> dict[str, str]:
    """The hidden fields of the confirmation step's form."""
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }


# Every lookup says why ----------------------------------------------------------------------


def test_vehicle_lookups_ask_why_first(pages: Any, engine: Engine) -> None:
    registrar = pages.login(R)
    _vehicle(registrar)
    before = len(_audits(engine))
    why = registrar.get(f"/registry/vehicles/{VIN}")
    assert why.status_code == 200 and "¿Por qué consulta este vehículo?" in why.text
    assert 'action="/registry/vehicles/' + VIN + '"' in why.text and 'name="reason"' in why.text
    assert "Ford" not in why.text
    blank = registrar.get(f"/registry/vehicles/{VIN}?reason=%20%20")
    assert "¿Por qué consulta este vehículo?" in blank.text and "Ford" not in blank.text
    search = registrar.get("/registry/vehicles?q=AB123CD")
    assert search.status_code == 422 and search.headers["x-alcabala-error"] == "invalid"
    assert 'id="e-v-reason"' in search.text and "Indique por qué consulta" in search.text
    assert "Ford" not in search.text
    assert len(_audits(engine)) == before  # nothing read, nothing audited
    shown = registrar.get(f"/registry/vehicles/{VIN}?reason=denuncia 55")
    assert shown.status_code == 200 and "Ford" in shown.text and "denuncia 55" in shown.text
    last = _audits(engine)[-1]
    assert (last.subject, last.reason, last.client) == (VIN, "denuncia 55", "web")


def test_officer_lookups_are_audited_at_the_checkpoint(pages: Any, engine: Engine) -> None:
    _vehicle(pages.login(R))
    officer = _officer(pages)
    page = officer.get(f"/registry/vehicles?q={VIN}&reason=parada 9")
    assert page.status_code == 200 and "Ford" in page.text
    last = _audits(engine)[-1]
    assert (last.reason, last.client, last.role) == ("parada 9", "web", "officer")
    assert last.checkpoint_id is not None  # the checkpoint the officer works at


def test_person_lookups_ask_why_first(pages: Any, engine: Engine) -> None:
    registrar = pages.login(R)
    _warrant(pages, registrar)
    before = len(_audits(engine))
    why = registrar.get(f"/registry/persons?country=VE&national_id={NATIONAL_ID}")
    assert "¿Por qué consulta a esta persona?" in why.text and "OA-77" not in why.text
    assert f'name="national_id" value="{NATIONAL_ID}"' in why.text
    empty = registrar.get(f"/registry/persons?country=VE&national_id={NATIONAL_ID}&reason=")
    assert empty.status_code == 422 and 'id="e-p-reason"' in empty.text
    assert empty.headers["x-alcabala-error"] == "invalid" and "OA-77" not in empty.text
    assert len(_audits(engine)) == before
    shown = registrar.get(f"/registry/persons?country=VE&national_id={NATIONAL_ID}&reason=x")
    assert "OA-77" in shown.text and _audits(engine)[-1].reason == "x"


# Destructive actions are confirmed ----------------------------------------------------------


def test_destructive_actions_are_confirmed_by_the_server(pages: Any, engine: Engine) -> None:
    registrar = pages.login(R)
    _vehicle(registrar)
    page = _report(registrar).text
    assert re.search(r'action="/registry/reports/\d+/cancel"[^>]*data-confirm="[^"]+"', page)
    assert '<input type="hidden" name="confirmed" value="">' in page
    action = re.search(r'action="(/registry/reports/\d+/cancel)"', page)
    assert action
    asked = registrar.post(
        action.group(1), data={"csrf_token": csrf_of(page), "reason": "entered twice"}
    )
    assert asked.status_code == 422
    assert asked.headers["x-alcabala-error"] == "confirmation_required"
    assert "¿Anular la denuncia de robo CICPC-1?" in asked.text
    with read_session(engine) as s:
        assert s.scalars(select(StolenReport.status)).one() == "active"  # nothing changed
    fields = _hidden(asked.text)
    assert fields["confirmed"] == "1" and fields["reason"] == "entered twice"
    done = registrar.post(action.group(1), data=fields, follow_redirects=False)
    assert done.status_code == 303 and "reason=cancel+CICPC-1" in done.headers["location"]
    with read_session(engine) as s:
        assert s.scalars(select(StolenReport.status)).one() == "cancelled"

    token = csrf_of(page)
    retire = {"csrf_token": token, "kind": "scrapped", "agency": "CICPC"}
    asked = registrar.post(f"/registry/vehicles/{VIN}/retire", data=retire)
    assert asked.headers["x-alcabala-error"] == "confirmation_required"
    with read_session(engine) as s:
        assert s.scalars(select(Retirement)).first() is None
    registrar.post(f"/registry/vehicles/{VIN}/retire", data={**retire, "confirmed": "1"})
    with read_session(engine) as s:
        assert s.scalars(select(Retirement)).first() is not None

    _warrant(pages, registrar)
    with read_session(engine) as s:
        warrant_id = s.scalars(select(Warrant.id)).one()
    for move in ("execute", "cancel"):
        asked = registrar.post(
            f"/registry/warrants/{warrant_id}/{move}", data={"csrf_token": token, "reason": "r"}
        )
        assert asked.status_code == 422, move
        assert asked.headers["x-alcabala-error"] == "confirmation_required"
    with read_session(engine) as s:
        assert s.scalars(select(Warrant.status)).one() == "active"

    _check(_officer(pages), people=NATIONAL_ID)
    with read_session(engine) as s:
        hit_id = s.scalars(select(Hit.id)).one()
    asked = registrar.post(
        f"/registry/hits/{hit_id}/deny", data={"csrf_token": token, "reason": "homónimo"}
    )
    assert asked.headers["x-alcabala-error"] == "confirmation_required"
    assert "¿Denegar la coincidencia con OA-77?" in asked.text
    with read_session(engine) as s:
        assert s.scalars(select(Hit.status)).one() == "pending"
    denied = registrar.post(f"/registry/hits/{hit_id}/deny", data=_hidden(asked.text))
    assert "Coincidencia negada." in denied.text
    with read_session(engine) as s:
        assert s.scalars(select(Hit.status)).one() == "denied"


# Hits show their record's current state -----------------------------------------------------


def test_a_hit_on_a_dead_record_says_so_and_cannot_be_confirmed(pages: Any, engine: Engine) -> None:
    registrar = pages.login(R)
    _warrant(pages, registrar)
    officer = _officer(pages)
    verdict = _check(officer, people=NATIONAL_ID)
    assert 'data-record-status="active"' in verdict.text and "vigente" in verdict.text
    queue = registrar.get("/registry/hits").text
    hit = re.search(r'action="/registry/hits/(\d+)/confirm"', queue)
    assert hit and 'data-record-status="active"' in queue
    with read_session(engine) as s:
        warrant_id = s.scalars(select(Warrant.id)).one()
    registrar.post(
        f"/registry/warrants/{warrant_id}/execute",
        data={"csrf_token": csrf_of(queue), "confirmed": "1"},
    )
    queue = registrar.get("/registry/hits").text
    assert 'data-record-status="executed"' in queue and "ejecutada" in queue
    assert "/confirm" not in queue  # no confirm button on a dead record
    assert "ya no está vigente" in queue
    again = officer.get(verdict.url.path).text
    assert 'data-record-status="executed"' in again and "no detenga a nadie" in again
    refused = registrar.post(
        f"/registry/hits/{hit.group(1)}/confirm", data={"csrf_token": csrf_of(queue)}
    )
    assert refused.status_code == 409
    assert refused.headers["x-alcabala-error"] == "record_inactive"
    assert "OA-77 (orden de captura) figura como «ejecutada»: ya no está vigente" in refused.text
    with read_session(engine) as s:
        assert s.scalars(select(Hit.status)).one() == "record_inactive"  # closed, and kept
    fragment = officer.get(verdict.url.path + "/hits")
    assert fragment.status_code == 286  # nothing left to wait for
    assert "cerrada: el registro ya no está vigente" in fragment.text


def test_the_record_inactive_message_in_english(pages: Any) -> None:
    registrar = pages.login(R, lang="en")
    _warrant(pages, registrar)
    _check(_officer(pages), people=NATIONAL_ID)
    queue = registrar.get("/registry/hits").text
    hit = re.search(r'action="/registry/hits/(\d+)/confirm"', queue)
    assert hit
    with read_session(pages.door.engine) as s:
        warrant_id = s.scalars(select(Warrant.id)).one()
    registrar.post(
        f"/registry/warrants/{warrant_id}/execute",
        data={"csrf_token": csrf_of(queue), "confirmed": "1"},
    )
    refused = registrar.post(
        f"/registry/hits/{hit.group(1)}/confirm", data={"csrf_token": csrf_of(queue)}
    )
    assert refused.status_code == 409
    assert "The warrant OA-77 is executed: it is no longer in force" in refused.text


# Refused forms say why, with the API's status -----------------------------------------------


def test_refused_forms_carry_the_error_code(pages: Any, engine: Engine) -> None:
    registrar = pages.login(R)
    token = csrf_of(registrar.get("/registry").text)
    invalid = registrar.post("/registry/new-vehicle", data={"csrf_token": token, "plate": "X1"})
    assert invalid.status_code == 422 and invalid.headers["x-alcabala-error"] == "invalid"
    _vehicle(registrar)
    duplicate = _vehicle(registrar)
    assert duplicate.status_code == 409 and duplicate.headers["x-alcabala-error"] == "duplicate"
    assert 'id="e-vin"' in duplicate.text
    page = _report(registrar).text
    recover = re.search(r'action="(/registry/reports/\d+/recover)"', page)
    assert recover
    registrar.post(recover.group(1), data={"csrf_token": token})
    twice = registrar.post(recover.group(1), data={"csrf_token": token})
    assert twice.status_code == 409
    assert twice.headers["x-alcabala-error"] == "illegal_transition"
    retire = {"csrf_token": token, "kind": "exported", "agency": "CICPC", "confirmed": "1"}
    registrar.post(f"/registry/vehicles/{VIN}/retire", data=retire)
    retired = _report(registrar, number="CICPC-2")
    assert retired.status_code == 409
    assert retired.headers["x-alcabala-error"] == "retired_vehicle"
    again = registrar.post(f"/registry/vehicles/{VIN}/retire", data=retire)
    assert again.status_code == 409 and again.headers["x-alcabala-error"] == "duplicate"

    other = "2T1BURHE0JC014702"
    _vehicle(registrar, vin=other, plate="XY987ZW")
    in_their_name = _report(registrar, number="TSJ-9", agency="TSJ-GUA", vin=other)
    assert in_their_name.status_code == 403  # a registrar files for its own agency only
    assert in_their_name.headers["x-alcabala-error"] == "not_owner"
    with pages.door.write(SYSTEM) as ctx:  # the court's report, as an import would bring it
        from alcabala.vehicles.schemas import StolenReportIn
        from alcabala.vehicles.services import report_stolen

        report_stolen(ctx, other, StolenReportIn(number="TSJ-9", agency="TSJ-GUA"))
        report = ctx.session.scalars(select(StolenReport).where(StolenReport.number == "TSJ-9"))
        report.one().validate_by = pages.now().date() - dt.timedelta(days=1)
    due = registrar.get("/registry/due").text
    assert "TSJ-9" in due
    refused = registrar.post(
        "/registry/due/TSJ-9/validate", data={"csrf_token": csrf_of(due), "note": "seen"}
    )
    assert refused.status_code == 403 and refused.headers["x-alcabala-error"] == "not_owner"
    assert "TSJ-9" in refused.text and 'class="flash flash-error"' in refused.text


def test_public_lookup_errors_are_the_services(pages: Any) -> None:
    client = pages.client()
    refused = client.get("/lookup?q=a%00b")
    assert refused.status_code == 422 and refused.headers["x-alcabala-error"] == "invalid"
    assert 'id="e-q"' in refused.text and "Escriba una placa" in refused.text
    missing = client.get("/receipt?code=NOPE-NOPE")
    assert missing.status_code == 404 and missing.headers["x-alcabala-error"] == "not_found"
