"""Complaint pages, on SQLite and PostgreSQL: filed with no login (photo included), the
receipt's proof and QR code once the entry is logged, followed with code and secret,
handled by oversight and answered by the agency on the staff console; an overdue complaint
on the dashboard; and the public statistics recounted from the public log alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from sqlalchemy import Engine

from alcabala.config import Settings
from alcabala.ledger.entries import parse_entry
from alcabala.ledger.keys import Signer
from alcabala.ledger.tilepath import ENTRIES, TILE_WIDTH, TilePath

from ..helpers import integrate_all
from .conftest import csrf_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEXT = "Me pidieron dinero para dejarme seguir sin multa en la alcabala."


def _file(client: Any, files: Any = None, **fields: str) -> Any:
    token = csrf_of(client.get("/complaints/new").text)
    data = {"category": "bribe", "subject_kind": "checkpoint", "checkpoint": "GUA-ALDAO"}
    data |= {"description": TEXT, "csrf_token": token, **fields}
    return client.post("/complaints/new", data=data, files=files or [])


def _code_and_secret(html: str) -> tuple[str, str]:
    import re

    code = re.search(r'id="complaint-code">([^<]+)<', html)
    secret = re.search(r'id="complaint-secret">([^<]+)<', html)
    assert code and secret, html
    return code.group(1), secret.group(1)


def test_filed_followed_handled_and_answered(
    pages: Any, engine: Engine, settings: Settings, log_signer: Signer
) -> None:
    citizen = pages.client()
    assert 'enctype="multipart/form-data"' in citizen.get("/complaints/new").text
    filed = _file(citizen, files=[("photos", ("foto.png", PNG, "image/png"))])
    assert filed.status_code == 201, filed.text
    assert "Su denuncia fue recibida" in filed.text and "complaint-promise" in filed.text
    code, secret = _code_and_secret(filed.text)
    token = csrf_of(citizen.get("/complaints").text)

    waiting = citizen.post(
        f"/complaints/{code}/proof-status", data={"secret": secret, "csrf_token": token}
    )
    assert "Entrando en el registro público" in waiting.text and "load delay:1s" in waiting.text
    integrate_all(engine, log_signer, settings.log_origin, pages.clock)
    ready = citizen.post(
        f"/complaints/{code}/proof-status", data={"secret": secret, "csrf_token": token}
    )
    assert 'id="proof-download"' in ready.text and "<svg" in ready.text
    assert f"/complaints/{code}?secret={secret}" in ready.text

    shown = citizen.post("/complaints", data={"code": code, "secret": secret, "csrf_token": token})
    assert shown.status_code == 200 and 'data-status="received"' in shown.text
    wrong = citizen.post("/complaints", data={"code": code, "secret": "x", "csrf_token": token})
    assert (
        wrong.status_code == 404 and "Ninguna denuncia tiene este código y esta clave" in wrong.text
    )

    ombudsman = pages.login("oversight")
    listed = ombudsman.get("/oversight/complaints")
    assert code in listed.text and "Pedido de soborno" in listed.text
    detail = ombudsman.get(f"/oversight/complaints/{code}")
    assert 'id="move-form"' in detail.text
    move = {"to": "under_review", "reason": "Se pidió informe al comando", "version": "1"}
    moved = ombudsman.post(
        f"/oversight/complaints/{code}/move",
        data={**move, "csrf_token": csrf_of(detail.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    no_reason = ombudsman.post(
        f"/oversight/complaints/{code}/move",
        data={"to": "resolved", "reason": "", "csrf_token": csrf_of(detail.text)},
    )
    assert no_reason.status_code == 422

    agency = pages.login("supervisor")  # GNB runs the checkpoint complained about
    page = agency.get(f"/oversight/complaints/{code}")
    assert page.status_code == 200 and 'id="move-form"' not in page.text
    answered = agency.post(
        f"/oversight/complaints/{code}/note",
        data={"text": "El funcionario fue identificado.", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    forced = agency.post(
        f"/oversight/complaints/{code}/move",
        data={**move, "to": "resolved", "version": "2", "csrf_token": csrf_of(page.text)},
    )
    assert forced.status_code == 403

    added = citizen.post(
        f"/complaints/{code}/information",
        data={"secret": secret, "text": "Era de noche, cerca de las 3.", "csrf_token": token},
    )
    assert added.status_code == 200 and "Se añadió su información" in added.text
    assert "En revisión" in added.text and "Se pidió informe al comando" in added.text
    assert "El funcionario fue identificado." in added.text
    assert "supervisor" not in added.text  # staff names stay internal


def test_bad_input_is_shown_beside_its_field(
    pages: Any, engine: Engine, log_signer: Signer
) -> None:
    citizen = pages.client()
    short = _file(citizen, description="corto")
    assert short.status_code == 422 and 'id="e-description"' in short.text
    gif = _file(citizen, files=[("photos", ("a.gif", b"GIF89a", "image/gif"))])
    assert gif.status_code == 422 and 'id="e-photos"' in gif.text
    stop = _file(citizen, subject_kind="stop", receipt="ZZZZZ-ZZZZZ")
    assert stop.status_code == 422 and "Ninguna parada tiene este código" in stop.text


def test_an_overdue_complaint_is_on_the_dashboard(
    pages: Any, settings: Settings, log_signer: Signer
) -> None:
    code, _ = _code_and_secret(_file(pages.client()).text)
    ombudsman = pages.login("oversight")
    assert code not in ombudsman.get("/dashboard").text
    pages.clock.advance(dt.timedelta(days=settings.complaint_overdue_days, minutes=1))
    for role in ("oversight", "supervisor"):  # oversight, and the agency complained about
        board = pages.login(role).get("/dashboard")
        assert board.status_code == 200
        assert 'id="overdue-complaints"' in board.text and code in board.text
    late = pages.login("oversight").get("/oversight/complaints?overdue=1")
    assert code in late.text and "vencida" in late.text


def _entries(client: Any, size: int) -> list[bytes]:
    """Every entry of the log up to ``size``, read through the public tile API only."""
    found: list[bytes] = []
    for index in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, size - index * TILE_WIDTH)
        bundle = client.get(f"/log/tile/{TilePath(ENTRIES, index, width).path()}").content
        while bundle:
            length = int.from_bytes(bundle[:2], "big")
            found.append(bundle[2 : 2 + length])
            bundle = bundle[2 + length :]
    return found[:size]


def test_the_statistics_add_up_to_the_log(
    pages: Any, api: Any, engine: Engine, settings: Settings, log_signer: Signer
) -> None:
    citizen = pages.client()
    filed = [
        _file(citizen, category=category, description=f"{TEXT} ({i})").text
        for i, category in enumerate(("bribe", "bribe", "extortion", "mistreatment"))
    ]
    filed.append(_file(citizen, subject_kind="agency", checkpoint="", agency="CICPC").text)
    codes = [_code_and_secret(html)[0] for html in filed]
    ombudsman = api.auth_for("oversight")
    for code, to in ((codes[0], "under_review"), (codes[1], "under_review")):
        api.post(
            f"/v1/oversight/complaints/{code}/moves",
            json={"to": to, "reason": "r"},
            headers=ombudsman,
        )
    api.post(
        f"/v1/oversight/complaints/{codes[1]}/moves",
        json={"to": "dismissed", "reason": "r"},
        headers=ombudsman,
    )
    integrate_all(engine, log_signer, settings.log_origin, pages.clock)
    _file(citizen, description=f"{TEXT} (filed after the checkpoint)")

    stats = citizen.get("/v1/complaints/stats").json()
    checkpoint = citizen.get("/log/checkpoint").text
    size = int(checkpoint.split("\n")[1])
    assert stats["log"]["size"] == size and stats["log"]["root"] == checkpoint.split("\n")[2]
    assert stats["total"] == 5  # the one filed after the checkpoint waits for the next
    assert stats["counts"]["category"] == {"bribe": 3, "extortion": 1, "mistreatment": 1}
    assert stats["counts"]["checkpoint"] == {"-": 1, "GUA-ALDAO": 4}

    # Recounted from the public log alone: types, agencies and months of the entries.
    entries = [parse_entry(e) for e in _entries(citizen, size)]
    created = [e for e in entries if e.type == "complaint.created"]
    moves = Counter(
        e.type.removeprefix("complaint.")
        for e in entries
        if e.type.startswith("complaint.") and e.type != "complaint.created"
    )
    assert len(created) == stats["total"]
    assert Counter(e.agency or "-" for e in created) == stats["counts"]["agency"]
    assert Counter(e.time[:7] for e in created) == stats["counts"]["month"]
    status = stats["counts"]["status"]
    assert status.get("received", 0) == len(created) - moves["under_review"]
    assert (
        status.get("under_review", 0)
        == moves["under_review"] - moves["resolved"] - moves["dismissed"]
    )
    assert status.get("dismissed", 0) == moves["dismissed"] == 1

    csv = citizen.get("/v1/complaints/stats.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = [line.split(",") for line in csv.text.strip().split("\n")]
    assert lines[0] == ["dimension", "value", "complaints", "log_size", "log_root"]
    assert all(line[3] == str(size) for line in lines[1:])
    for dimension in ("category", "status", "month", "agency", "checkpoint"):
        assert sum(int(line[2]) for line in lines if line[0] == dimension) == stats["total"]
    page = citizen.get("/complaints/stats")
    assert page.status_code == 200 and "Pedido de soborno" in page.text and "<svg" in page.text
    assert TEXT not in page.text and TEXT not in csv.text and TEXT not in json.dumps(stats)
