"""Seizures and chain of custody over the JSON API, on SQLite and PostgreSQL.

- full path: seize at a stop → transfer, confirmed by the receiver with their own login →
  store → release with one item short; the shortfall needs an explanation and reaches
  oversight, and every step of the item's history verifies against the log offline;
- the driver's receipt lists every item and seal, names nobody, and its tlog proof
  commits to that very inventory;
- an unconfirmed transfer leaves the item with the sender; only the receiver confirms;
- disposal without a court order, or without a witness, is refused and changes nothing;
- a detention needs a confirmed hit, or a reason a supervisor approves in time, or it
  surfaces to oversight;
- bad input names its field and stores nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, func, select

from alcabala.config import Settings
from alcabala.custody.models import CustodyEvent, Discrepancy, SeizedItem, Seizure
from alcabala.db.engine import read_session
from alcabala.ledger.keys import Signer
from alcabala.ledger.proof import verify_receipt_proof

from ..helpers import integrate_all, post

NID = "V7654321"
NAME = "Pedro Pérez"


def _stop(api: Any, **changes: Any) -> dict[str, Any]:
    body = {"check_id": str(uuid.uuid4()), "checkpoint": "GUA-ALDAO", "plate": "AB123CD"}
    r = api.post("/v1/checks", json=body | changes, headers=api.auth_for("officer"))
    assert r.status_code == 200, r.text
    return dict(r.json()) | {"check_id": body["check_id"]}


def _seizure(api: Any, check_id: str | None = None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "check_id": check_id,
        "place": "Puente Aldao, canal sur",
        "case_ref": "MP-GUA-2026-88",
        "items": [
            {"kind": "drugs", "description": "Panelas de cocaína", "quantity": 88,
             "unit": "packs", "weight_kg": "92.4", "seal": "GNB-000111"},
            {"kind": "cash", "description": "Billetes", "quantity": "1500", "unit": "USD",
             "currency": "USD", "seal": "GNB-000112"},
            {"kind": "weapon", "description": "Pistola 9 mm", "serial": "BRT-99812"},
        ],
        "seals": ["GNB-000110"],
        "detained": [{"national_id": NID, "name": NAME, "basis": "reason",
                      "reason": "Transportaba la carga"}],
    }  # fmt: skip
    if check_id is None:
        body.pop("check_id")
        body["checkpoint"] = "GUA-ALDAO"
    return dict(post(api, "/v1/seizures", "officer", body | changes))


def _count(engine: Engine, model: Any) -> int:
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _item(engine: Engine, label: str) -> SeizedItem:
    with read_session(engine) as s:
        item = s.scalar(select(SeizedItem).where(SeizedItem.label == label))
        assert item is not None
        s.expunge(item)
        return item


def _location(api: Any, code: str = "GNB-DEP-1") -> None:
    post(api, "/v1/custody/locations", "supervisor",
         {"code": code, "name": "Depósito de evidencias, Calabozo", "agency": "GNB"})  # fmt: skip


def test_full_path_seize_transfer_store_release_short_and_the_history_verifies(
    api: Any, engine: Engine, settings: Settings, clock: Any, log_signer: Signer
) -> None:
    stop = _stop(api)
    seized = _seizure(api, stop["check_id"])
    code = seized["code"]
    labels = [i["label"] for i in seized["items"]]
    assert code.startswith("I-") and labels == [f"{code}/1", f"{code}/2", f"{code}/3"]
    assert seized["checkpoint"] == "GUA-ALDAO" and seized["agency"] == "GNB"
    assert all(i["holder"] == "officer" and i["status"] == "held" for i in seized["items"])
    assert seized["seals"] == ["GNB-000110", "GNB-000111", "GNB-000112"]
    _location(api)

    # The officer offers all three to the custodian: nothing moves until confirmed.
    transfer = post(api, "/v1/custody/transfers", "officer", {
        "items": labels, "to": "custodian", "purpose": "Resguardo en depósito",
        "place": "Comando Calabozo", "location": "GNB-DEP-1",
    })  # fmt: skip
    assert _item(engine, labels[0]).transfer_id == transfer["id"]
    before = api.get(f"/v1/seizures/{code}", headers=api.auth_for("officer")).json()
    assert {(i["holder"], i["location"]) for i in before["items"]} == {("officer", None)}
    waiting = api.get("/v1/custody/transfers", headers=api.auth_for("custodian")).json()
    assert [t["id"] for t in waiting] == [transfer["id"]]
    got = post(api, f"/v1/custody/transfers/{transfer['id']}/receive", "custodian", {}, 200)
    assert got["status"] == "received"
    after = api.get(f"/v1/seizures/{code}", headers=api.auth_for("custodian")).json()
    assert {(i["holder"], i["location"]) for i in after["items"]} == {("custodian", "GNB-DEP-1")}

    # Released to the owner: 87 packs where 88 were seized. No explanation: refused.
    lines: list[dict[str, Any]] = [
        {"label": labels[0], "quantity": 87, "weight_kg": "91.35"},
        {"label": labels[1]},
        {"label": labels[2]},
    ]
    body = {"to": "court", "recipient": "Tribunal 3.º de Control", "authority": "Oficio 3C-455",
            "lines": lines}  # fmt: skip
    events_before = _count(engine, CustodyEvent)
    r = api.post(f"/v1/seizures/{code}/releases", json=body, headers=api.auth_for("custodian"))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "lines.0.explanation"
    assert _count(engine, CustodyEvent) == events_before and _count(engine, Discrepancy) == 0
    lines[0]["explanation"] = "Una panela rota en el traslado; acta 12"
    outcome = post(api, f"/v1/seizures/{code}/releases", "custodian", body)
    first = outcome["lines"][0]
    assert first["seized_quantity"] == "88" and first["found_quantity"] == "87"
    assert first["differences"] == ["quantity", "weight"] and outcome["discrepancies"] == 2
    assert [line["differences"] for line in outcome["lines"][1:]] == [[], []]
    assert api.get(f"/v1/custody/outcomes/{outcome['id']}",
                   headers=api.auth_for("oversight")).json() == outcome  # fmt: skip

    # Oversight sees the shortfall, under the agency and the location.
    seen = api.get("/v1/custody/oversight", headers=api.auth_for("oversight")).json()
    assert seen["rows"][0]["agency"] == "GNB" and seen["rows"][0]["location"] == "GNB-DEP-1"
    assert seen["rows"][0]["by_kind"] == {"quantity": 1, "weight": 1}
    assert {d["kind"] for d in seen["recent"]} == {"quantity", "weight"}
    assert seen["recent"][0]["explanation"].startswith("Una panela rota")
    other = api.get("/v1/custody/oversight", headers=api.auth_for("auditor")).json()
    assert len(other["recent"]) == 2

    # Every step of the item's history is in the log, and each proof verifies offline.
    integrate_all(engine, log_signer, settings.log_origin, clock)
    history = api.get(
        f"/v1/custody/items/{code}/1/history", headers=api.auth_for("oversight")
    ).json()
    kinds = [e["kind"] for e in history["events"]]
    assert kinds == ["seized", "offered", "received", "released"]
    assert history["events"][2]["to_user"] == "custodian"
    assert history["events"][3]["quantity_seen"] == "87"
    vkey = log_signer.verifier_key()
    proven = [verify_receipt_proof(p["proof"], [vkey], []) for p in history["proofs"]]
    assert [p.data.type for p in proven] == ["seized_item.seized"] + [f"custody.{k}" for k in kinds]
    assert proven[0].record["quantity"] == "88" and proven[-1].record["quantity_seen"] == "87"
    assert all(p.data.agency == "GNB" for p in proven)


def test_the_receipt_lists_every_item_and_seal_names_nobody_and_is_proven(
    api: Any, engine: Engine, settings: Settings, clock: Any, log_signer: Signer
) -> None:
    seized = _seizure(api)
    code = seized["code"]
    r = api.get(f"/v1/seizures/{code.lower()}/receipt")
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert [i["label"] for i in receipt["items"]] == [i["label"] for i in seized["items"]]
    assert receipt["items"][0]["weight_kg"] == "92.4" and receipt["items"][0]["quantity"] == "88"
    assert receipt["items"][2]["identifier"] == "…9812"
    assert receipt["seals"] == seized["seals"] and receipt["detained"] == 1
    for secret in (NID, NAME, "BRT-99812", "officer"):
        assert secret not in r.text
    assert api.get("/v1/seizures/I-AAAAA-AAAAA/receipt").status_code == 404

    early = api.get(receipt["proof_url"])
    assert early.status_code == 503 and early.json()["error"]["code"] == "not_logged_yet"
    integrate_all(engine, log_signer, settings.log_origin, clock)
    proof = api.get(receipt["proof_url"])
    assert proof.status_code == 200, proof.text
    proven = verify_receipt_proof(proof.text, [log_signer.verifier_key()], [])
    assert proven.data.type == "seizure.created" and proven.record["code"] == code
    inventory = proven.record["inventory"]
    assert [(x["description"], x["quantity"], x["seal"]) for x in inventory] == [
        (i["description"], i["quantity"], i["seal"]) for i in receipt["items"]
    ]
    assert proven.record["seals"] == receipt["seals"]


def test_an_unconfirmed_transfer_leaves_the_item_with_the_sender(api: Any, engine: Engine) -> None:
    seized = _seizure(api, detained=[])
    label = seized["items"][0]["label"]
    transfer = post(api, "/v1/custody/transfers", "officer",
                    {"items": [label], "to": "custodian", "purpose": "Resguardo"})  # fmt: skip
    sender = _item(engine, label)
    assert sender.transfer_id == transfer["id"] and sender.status == "held"
    shown = api.get(f"/v1/seizures/{seized['code']}", headers=api.auth_for("officer")).json()
    assert shown["items"][0]["holder"] == "officer" and shown["items"][0]["transfer"]

    # Nobody else confirms it for the receiver; it cannot be offered twice meanwhile.
    url = f"/v1/custody/transfers/{transfer['id']}"
    for role in ("officer", "supervisor"):
        r = api.post(f"{url}/receive", json={}, headers=api.auth_for(role))
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_receiver", r.text
    again = api.post("/v1/custody/transfers", headers=api.auth_for("officer"),
                     json={"items": [label], "to": "supervisor", "purpose": "Otra"})  # fmt: skip
    assert again.status_code == 409 and again.json()["error"]["field"] == "items.0"
    # The custodian cannot release what it never received.
    r = api.post(
        f"/v1/seizures/{seized['code']}/releases",
        headers=api.auth_for("custodian"),
        json={"to": "owner", "recipient": "Dueño", "lines": [{"label": label}]},
    )
    assert r.status_code == 409, r.text

    refused = post(api, f"{url}/decline", "custodian", {"reason": "Sin precinto"}, 200)
    assert refused["status"] == "refused"
    back = _item(engine, label)
    assert back.holder_id == sender.holder_id and back.transfer_id is None
    r = api.post(f"{url}/receive", json={}, headers=api.auth_for("custodian"))
    assert r.status_code == 409, r.text  # a refused transfer is over

    # A broken seal seen on receipt needs a note, and becomes a discrepancy.
    second = post(api, "/v1/custody/transfers", "officer",
                  {"items": [label], "to": "custodian", "purpose": "Resguardo"})  # fmt: skip
    broken = {"seals": {label: "broken"}}
    r = api.post(f"/v1/custody/transfers/{second['id']}/receive", json=broken,
                 headers=api.auth_for("custodian"))  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["field"] == "note"
    post(api, f"/v1/custody/transfers/{second['id']}/receive", "custodian",
         broken | {"note": "Precinto cortado"}, 200)  # fmt: skip
    with read_session(engine) as s:
        (d,) = s.scalars(select(Discrepancy)).all()
        assert (d.source, d.kind, d.found) == ("transfer", "seal", "broken")


def test_disposal_without_authority_or_witness_is_refused(api: Any, engine: Engine) -> None:
    seized = _seizure(api, detained=[])
    code, label = seized["code"], seized["items"][0]["label"]
    transfer = post(api, "/v1/custody/transfers", "officer",
                    {"items": [label], "to": "custodian", "purpose": "Resguardo"})  # fmt: skip
    post(api, f"/v1/custody/transfers/{transfer['id']}/receive", "custodian", {}, 200)
    events = _count(engine, CustodyEvent)
    base = {"method": "destruction", "lines": [{"label": label}]}
    for body, field in [
        (base, "authority"),
        (base | {"authority": "  ", "witness": "Fiscal 5.º, V-11222333"}, "authority"),
        (base | {"authority": "Orden 3C-901"}, "witness"),
        (base | {"authority": "Orden 3C-901", "witness": "custodian"}, "witness"),
    ]:
        r = api.post(f"/v1/seizures/{code}/disposals", json=body, headers=api.auth_for("custodian"))
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    assert _count(engine, CustodyEvent) == events and _item(engine, label).status == "held"
    done = post(
        api,
        f"/v1/seizures/{code}/disposals",
        "custodian",
        base | {"authority": "Orden 3C-901", "witness": "Fiscal 5.º, V-11222333"},
    )
    assert done["authority"] == "Orden 3C-901" and done["discrepancies"] == 0
    assert _item(engine, label).status == "disposed"
    r = api.post(f"/v1/seizures/{code}/disposals", headers=api.auth_for("custodian"),
                 json=base | {"authority": "Orden 3C-901", "witness": "Fiscal"})  # fmt: skip
    assert r.status_code == 409, r.text  # it is gone: no second disposal


def test_a_detention_needs_a_confirmed_hit_or_an_approval_in_time(
    api: Any, engine: Engine, clock: Any
) -> None:
    post(api, "/v1/persons", "registrar", {"national_id": NID, "given_names": "Pedro"})
    post(api, "/v1/warrants", "registrar", {
        "number": "W-1", "agency": "CICPC", "national_id": NID, "court": "Tribunal 3",
        "case_number": "3C-1", "offence": "Robo", "issued_at": clock.now().isoformat(),
    })  # fmt: skip
    stop = _stop(api, people=[{"national_id": NID}], reason="operativo")
    (hit,) = stop["hits"]
    on_hit = {"national_id": NID, "basis": "hit", "hit_id": hit["id"]}
    item = {"kind": "other", "description": "Teléfono"}
    r = api.post(
        "/v1/seizures",
        headers=api.auth_for("officer"),
        json={"check_id": stop["check_id"], "items": [item], "detained": [on_hit]},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "detained.0.hit_id", r.text
    assert _count(engine, Seizure) == 0
    post(api, f"/v1/hits/{hit['id']}/confirm", "registrar", {"reason": "Orden vigente"}, 200)
    justified = post(
        api,
        "/v1/seizures",
        "officer",
        {"check_id": stop["check_id"], "items": [item], "detained": [on_hit]},
    )
    assert justified["detentions"][0]["status"] == "justified"

    stated = _seizure(api)
    (detention,) = stated["detentions"]
    assert detention["status"] == "awaiting_approval" and not detention["overdue"]
    seen = api.get("/v1/custody/oversight", headers=api.auth_for("oversight")).json()
    assert seen["unapproved_detentions"] == []
    clock.advance(dt.timedelta(hours=4, minutes=1))
    seen = api.get("/v1/custody/oversight", headers=api.auth_for("oversight")).json()
    assert [d["id"] for d in seen["unapproved_detentions"]] == [detention["id"]]
    url = f"/v1/custody/detentions/{detention['id']}"
    r = api.post(f"{url}/approve", json={"reason": "ok"}, headers=api.auth_for("officer"))
    assert r.status_code == 403
    approved = post(api, f"{url}/approve", "supervisor", {"reason": "Flagrancia"}, 200)
    assert approved["status"] == "approved"
    seen = api.get("/v1/custody/oversight", headers=api.auth_for("oversight")).json()
    assert seen["unapproved_detentions"] == []
    r = api.post(f"{url}/reject", json={"reason": "no"}, headers=api.auth_for("supervisor"))
    assert r.status_code == 409  # decided once


def test_bad_input_names_its_field_and_stores_nothing(api: Any, engine: Engine) -> None:
    cases = [
        ({"items": []}, "items"),
        ({"items": [{"kind": "drugs", "description": "Polvo", "quantity": 3}]}, "items.0"),
        ({"items": [{"kind": "cash", "description": "Billetes", "quantity": 9}]}, "items.0"),
        ({"items": [{"kind": "vehicle", "description": "Camión"}]}, "items.0"),
        ({"items": [{"kind": "cargo", "description": "Cerámica", "quantity": "-2"}]},
         "items.0.quantity"),
        ({"items": [{"kind": "cargo", "description": "Cerámica", "quantity": "1.2345"}]},
         "items.0.quantity"),
        ({"items": [{"kind": "other", "description": "x"}], "check_id": "nope"}, "check_id"),
        ({"items": [{"kind": "other", "description": "x"}],
          "detained": [{"national_id": "ABC", "basis": "reason", "reason": "r"}]},
         "detained.0.national_id"),
        ({"items": [{"kind": "other", "description": "x"}],
          "detained": [{"national_id": NID, "basis": "reason"}]}, "detained.0.reason"),
    ]  # fmt: skip
    for body, field in cases:
        r = api.post("/v1/seizures", json=body, headers=api.auth_for("officer"))
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.json())
    assert _count(engine, Seizure) == 0 and _count(engine, SeizedItem) == 0
    r = api.post(
        "/v1/custody/transfers",
        headers=api.auth_for("officer"),
        json={"items": ["I-AAAAA-AAAAA/1"], "to": "custodian", "purpose": "x"},
    )
    assert r.status_code == 404 and r.json()["error"]["field"] == "items.0"
    r = api.post("/v1/custody/transfers", headers=api.auth_for("officer"),
                 json={"items": ["nope"], "to": "custodian", "purpose": "x"})  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["field"] == "items.0"
