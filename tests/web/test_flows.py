"""The console's flows through TestClient: checks and verdicts, the registrar's records and
queues, livestock permits and thefts, the dashboard (on SQLite and PostgreSQL).

Every date is relative to the app's clock (``pages.now()``), so the suite passes on any day.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Engine, func, select

from alcabala.accounts.models import AuditEntry
from alcabala.checks.models import Check
from alcabala.db.engine import read_session

OF, R, L, S = "officer", "registrar", "livestock", "supervisor"
VIN = "1M8GDM9AXKP042788"
WHY_VEHICLE = "¿Por qué consulta este vehículo?"


def local(value: dt.datetime) -> str:
    """A time as a ``datetime-local`` form field sends it."""
    return value.strftime("%Y-%m-%dT%H:%M")


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _check(client: Any, **fields: Any) -> Any:
    page = client.get("/console").text
    data = {"csrf_token": csrf_of(page), "check_id": _check_id(page), **fields}
    return client.post("/console/check", data=data)


def _check_id(html: str) -> str:
    match = re.search(r'name="check_id" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _officer(pages: Any) -> Any:
    client = pages.login(OF)
    token = csrf_of(client.get("/console/checkpoint").text)
    client.post("/console/checkpoint", data={"checkpoint": "GUA-ALDAO", "csrf_token": token})
    return client


def test_check_errors_are_shown_next_to_their_field(pages: Any) -> None:
    client = _officer(pages)
    response = _check(client, plate="AB123CD", declared_year="19x")
    assert response.status_code == 422
    assert 'id="e-declared_year"' in response.text
    assert "Indique un número entero." in response.text
    html = _check(client, plate="AB123CD", vin="SHORT").text
    assert 'id="e-vin"' in html and 'aria-invalid="true"' in html
    assert 'value="AB123CD"' in html and 'value="SHORT"' in html  # the input is kept
    response = _check(client, people="ZZ")
    assert 'id="e-people"' in response.text
    assert "Una cédula venezolana es V o E" in response.text  # the service's message, translated
    assert "Traceback" not in response.text


def test_irregular_verdict_explains_in_plain_language(pages: Any) -> None:
    client = _officer(pages)
    english = pages.login(OF, lang="en")
    html = _check(client, vin="1M8GDM9A1KP042788").text
    assert 'data-verdict="irregular"' in html and 'data-code="vin_check_digit"' in html
    assert "El dígito verificador del serial (VIN) no cuadra" in html
    check_id = re.search(r'href="/console/checks/([0-9a-f-]+)"', client.get("/console").text)
    assert check_id
    page = english.get(f"/console/checks/{check_id.group(1)}").text
    assert "The VIN's check digit is wrong" in page and "IRREGULAR" in page
    fragment = client.get(f"/console/checks/{check_id.group(1)}/hits")  # polled by htmx
    assert fragment.status_code == 286 and "<html" not in fragment.text  # no hit: stop polling


def test_double_submitted_check_records_once(pages: Any, engine: Engine) -> None:
    client = _officer(pages)
    page = client.get("/console").text
    data = {"csrf_token": csrf_of(page), "check_id": _check_id(page), "plate": "AB123CD"}
    first = client.post("/console/check", data=data)
    second = client.post("/console/check", data=data)
    assert first.url == second.url and first.status_code == 200
    assert 'data-verdict="clear"' in first.text
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Check)) == 1
    receipt = re.search(r'id="receipt"[^>]*>([^<]+)<', first.text)
    assert receipt
    public = pages.client().get(f"/receipt?code={receipt.group(1)}")
    assert 'data-status="found"' in public.text
    assert "AB123CD" not in public.text  # nothing personal
    assert client.get("/console").text.count("AB123CD") == 1  # today's list


def _searches(engine: Engine) -> list[str]:
    with read_session(engine) as s:
        return list(
            s.scalars(
                select(AuditEntry.reason)
                .where(AuditEntry.action == "search")
                .order_by(AuditEntry.id)
            )
        )


def test_stolen_vehicle_flow_and_audit(pages: Any, engine: Engine) -> None:
    registrar = pages.login(R)
    page = registrar.get("/registry/new-vehicle").text
    registered = registrar.post(
        "/registry/new-vehicle",
        data={"csrf_token": csrf_of(page), "vin": VIN, "plate": "AB123CD", "make": "Ford"},
    )
    assert registered.status_code == 200 and VIN in registered.text
    assert _searches(engine) == [f"register {VIN}"]  # the page after an action says why
    why = registrar.get(f"/registry/vehicles/{VIN}")
    assert why.status_code == 200 and WHY_VEHICLE in why.text
    assert "Ford" not in why.text and "data-status" not in why.text  # nothing is shown
    assert len(_searches(engine)) == 1  # and nothing is read: nothing audited
    vehicle = registrar.get(f"/registry/vehicles/{VIN}?reason=complaint 12").text
    assert "Ford" in vehicle
    response = registrar.post(
        f"/registry/vehicles/{VIN}/report",
        data={"csrf_token": csrf_of(vehicle), "number": "CICPC-1", "agency": "CICPC"},
    )
    assert 'data-status="reported_stolen"' in response.text
    officer = _officer(pages)
    hit = _check(officer, plate="AB123CD")
    assert 'data-verdict="hit"' in hit.text and "data-deadline=" in hit.text
    assert pages.client().get("/lookup?q=AB123CD").text.count('data-status="reported_stolen"')
    cancel = re.search(r'action="(/registry/reports/\d+/)recover"', response.text)
    assert cancel
    refused = registrar.post(
        cancel.group(1) + "cancel",
        data={"csrf_token": csrf_of(vehicle), "reason": "", "confirmed": "1"},
    )
    assert refused.status_code == 422 and 'class="error"' in refused.text
    assert refused.headers["x-alcabala-error"] == "invalid"
    registrar.post(cancel.group(1) + "recover", data={"csrf_token": csrf_of(vehicle)})
    assert 'data-verdict="clear"' in _check(officer, plate="AB123CD").text
    lookup = pages.client().get("/lookup?q=AB123CD").text
    assert 'data-status="recovered"' in lookup and "Ford" not in lookup
    found = registrar.get("/registry/vehicles?q=AB123CD&reason=case 7")
    assert VIN in found.text and 'data-status="no_report"' in found.text
    # Every registrar lookup is audited, with its reason; the pages after actions say which.
    assert _searches(engine) == [
        f"register {VIN}",
        "complaint 12",
        "report stolen CICPC-1",
        "cancel CICPC-1",  # the refused cancel showed the page again
        "recover CICPC-1",
        "case 7",
    ]


def test_warrant_hit_confirmed_from_the_queue(pages: Any) -> None:
    registrar = pages.login(R)
    form = registrar.get("/registry/warrants/new").text
    assert 'value="CICPC"' in form  # the registrar's agency is proposed
    issued = registrar.post(
        "/registry/warrants/new",
        data={
            "csrf_token": csrf_of(form), "number": "OA-77", "agency": "CICPC",
            "national_id": "V12345678", "country": "VE", "court": "Tribunal 3 de Control",
            "case_number": "3C-1", "offence": "Robo",
            "issued_at": local(pages.now() - dt.timedelta(days=1)),
            "urgent": "1",
        },
    )  # fmt: skip
    assert issued.status_code == 200 and 'data-status="active"' in issued.text
    hit = _check(_officer(pages), people="V12345678")
    assert 'data-category="wanted_person"' in hit.text
    queue = registrar.get("/registry/hits").text
    match = re.search(r'action="/registry/hits/(\d+)/deny"', queue)
    assert match and "OA-77" in queue
    refused = registrar.post(
        f"/registry/hits/{match.group(1)}/deny",
        data={"csrf_token": csrf_of(queue), "confirmed": "1"},
    )
    assert refused.status_code == 422 and 'class="error"' in refused.text
    assert refused.headers["x-alcabala-error"] == "invalid"  # a denial needs a reason
    confirmed = registrar.post(
        f"/registry/hits/{match.group(1)}/confirm", data={"csrf_token": csrf_of(queue)}
    )
    assert "Coincidencia confirmada." in confirmed.text and "OA-77" not in confirmed.text
    person = registrar.get(
        "/registry/persons?country=VE&national_id=V-12.345.678&reason=case 3C-1"
    ).text
    execute = re.search(r'action="(/registry/warrants/\d+/execute)"', person)
    assert execute
    done = registrar.post(execute.group(1), data={"csrf_token": csrf_of(person), "confirmed": "1"})
    assert 'data-status="executed"' in done.text
    assert "execute OA-77" in done.text  # the page after the action says why it was read


def test_records_due_for_validation(pages: Any, engine: Engine) -> None:
    from alcabala.db.engine import unit_of_work
    from alcabala.vehicles.models import StolenReport

    registrar = pages.login(R)
    page = registrar.get("/registry/new-vehicle").text
    registrar.post(
        "/registry/new-vehicle", data={"csrf_token": csrf_of(page), "vin": VIN, "plate": "AB123CD"}
    )
    registrar.post(
        f"/registry/vehicles/{VIN}/report",
        data={"csrf_token": csrf_of(page), "number": "OLD-1", "agency": "CICPC"},
    )
    with unit_of_work(engine) as s:
        report = s.scalars(select(StolenReport)).one()
        report.validate_by = pages.now().date() - dt.timedelta(days=3)
    due = registrar.get("/registry/due").text
    assert "OLD-1" in due and "3 días" in due
    assert "OLD-1" in pages.login(S).get("/dashboard").text
    done = registrar.post(
        "/registry/due/OLD-1/validate",
        data={"csrf_token": csrf_of(due), "kind": "stolen-report", "note": "seen the file"},
    )
    assert "Validado por un año más." in done.text and "OLD-1" not in done.text


def test_livestock_permit_and_theft(pages: Any, engine: Engine) -> None:
    from alcabala.context import SYSTEM
    from alcabala.livestock import services
    from alcabala.livestock.schemas import BrandIn, PremisesIn

    with pages.door.write(SYSTEM) as ctx:
        for code in ("HATO-A", "HATO-B"):
            services.register_premises(ctx, PremisesIn(code=code, name=code))
        services.register_brand(ctx, BrandIn(mark="AZ", premises="HATO-A"))
    vet = pages.login(L)
    form = vet.get("/livestock/permits/new").text
    data = {
        "csrf_token": csrf_of(form), "number": "GUIA-1", "issuer": "INSAI",
        "origin_premises": "HATO-A", "destination_premises": "HATO-A", "vehicle_plate": "AB123CD",
        "valid_from": local(pages.now() - dt.timedelta(hours=1)),
        "valid_to": local(pages.now() + dt.timedelta(hours=23)),
        "line_species": ["bovine", "bovine"], "line_category": ["novillos", ""],
        "line_heads": ["12", ""], "line_brand": ["AZ", ""], "ear_tags": "",
    }  # fmt: skip
    refused = vet.post("/livestock/permits/new", data=data)
    assert refused.status_code == 422 and 'id="e-destination_premises"' in refused.text
    assert 'value="novillos"' in refused.text  # the lines are kept
    permit = vet.post("/livestock/permits/new", data={**data, "destination_premises": "HATO-B"})
    assert "GUIA-1" in permit.text and 'data-status="issued"' in permit.text
    officer = _officer(pages)
    why = officer.get("/livestock/permits?number=guia-1")
    assert why.status_code == 422 and 'id="e-reason"' in why.text  # an officer says why
    assert "GUIA-1" in officer.get("/livestock/permits?number=guia-1&reason=stop 4").text
    theft_form = vet.get("/livestock/thefts/new").text
    theft = {"csrf_token": csrf_of(theft_form), "number": "ABG-1", "agency": "INSAI",
             "species": "bovine", "head_count": "3"}  # fmt: skip
    refused = vet.post("/livestock/thefts/new", data=theft)
    assert refused.status_code == 422 and 'id="e-brand"' in refused.text
    reported = vet.post("/livestock/thefts/new", data={**theft, "brand": "AZ"})
    assert "ABG-1" in reported.text
    stop = _check(
        officer, plate="AB123CD", permit_number="GUIA-1",
        line_species=["bovine"], line_heads=["12"], line_brand=["AZ"],
    )  # fmt: skip
    assert 'data-category="stolen_livestock"' in stop.text
    # Cancelling the permit and the theft report is confirmed first, by the server.
    page = vet.get("/livestock/permits?number=GUIA-1").text
    cancel = re.search(r'action="(/livestock/permits/\d+/cancel)"[^>]*data-confirm="[^"]+"', page)
    assert cancel
    asked = vet.post(cancel.group(1), data={"csrf_token": csrf_of(page), "reason": "error"})
    assert asked.status_code == 422
    assert asked.headers["x-alcabala-error"] == "confirmation_required"
    assert "¿Anular la guía GUIA-1?" in asked.text
    done = vet.post(
        cancel.group(1), data={"csrf_token": csrf_of(page), "reason": "error", "confirmed": "1"}
    )
    assert 'data-status="cancelled"' in done.text and "Guía anulada." in done.text
    assert 'data-status="active"' in reported.text  # the theft report's page
    move = re.search(r'action="(/livestock/thefts/\d+/)cancel"', reported.text)
    assert move
    asked = vet.post(move.group(1) + "cancel", data={"csrf_token": csrf_of(page), "reason": "x"})
    assert asked.headers["x-alcabala-error"] == "confirmation_required"
    assert "ABG-1" in asked.text
    recovered = vet.post(move.group(1) + "recover", data={"csrf_token": csrf_of(page)})
    assert 'data-status="recovered"' in recovered.text
    twice = vet.post(
        move.group(1) + "cancel",
        data={"csrf_token": csrf_of(page), "reason": "x", "confirmed": "1"},
    )
    assert twice.status_code == 409 and twice.headers["x-alcabala-error"] == "illegal_transition"


def test_dashboard_counts_checks(pages: Any, engine: Engine) -> None:
    officer = _officer(pages)
    _check(officer, plate="AB123CD")
    html = pages.login(S).get("/dashboard").text
    assert "<svg" in html and "GUA-ALDAO" in html
