"""Every route × every role: the expected allow or deny, and 401 without a token.

The table is written out by hand on purpose: it is the access policy, reviewed as such. A
route missing from it fails the test, so no route can be added without deciding who may
use it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute

from alcabala.api.app import create_app
from alcabala.config import Settings

OFF, R, L, S, A, ADM = "officer", "registrar", "livestock", "supervisor", "auditor", "admin"
C, OV, CU, CAM = "court", "oversight", "custodian", "camera"
ALL = (OFF, R, L, S, A, ADM, C, OV, CU, CAM)
PUBLIC = "public"

POLICY: dict[tuple[str, str], tuple[str, ...] | str] = {
    ("POST", "/v1/checks"): (OFF, S),
    ("POST", "/v1/checks/batch"): (OFF, S),
    ("GET", "/v1/checks/{check_id}"): (OFF, S, A),
    ("GET", "/v1/hits"): (R, S),
    ("POST", "/v1/hits/{hit_id}/confirm"): (R, S),
    ("POST", "/v1/hits/{hit_id}/deny"): (R, S),
    ("POST", "/v1/vehicles"): (R,),
    ("GET", "/v1/vehicles/{vin}"): (R, S, OFF),
    ("POST", "/v1/vehicles/{vin}/stolen-reports"): (R,),
    ("GET", "/v1/stolen-reports/{report_id}"): (R, S, OFF),
    ("POST", "/v1/stolen-reports/{report_id}/recover"): (R,),
    ("POST", "/v1/stolen-reports/{report_id}/return"): (R,),
    ("POST", "/v1/stolen-reports/{report_id}/cancel"): (R,),
    ("POST", "/v1/vehicles/{vin}/retirements"): (R,),
    ("POST", "/v1/persons"): (R,),
    ("GET", "/v1/persons/{country}/{national_id}"): (R, S, C),
    ("POST", "/v1/warrants"): (R, C),
    ("GET", "/v1/warrants/{warrant_id}"): (R, S, C),
    ("POST", "/v1/warrants/{warrant_id}/execute"): (R, C),
    ("POST", "/v1/warrants/{warrant_id}/cancel"): (R, C),
    ("POST", "/v1/premises"): (L,),
    ("POST", "/v1/brands"): (L,),
    ("POST", "/v1/permits"): (L,),
    ("GET", "/v1/permits/{permit_id}"): (L, OFF, S),
    ("GET", "/v1/permits/by-number/{number}"): (L, OFF, S),
    ("POST", "/v1/permits/{permit_id}/use"): (L, OFF),
    ("POST", "/v1/permits/{permit_id}/cancel"): (L,),
    ("POST", "/v1/livestock-thefts"): (L, R),
    ("POST", "/v1/livestock-thefts/{theft_id}/recover"): (L, R),
    ("POST", "/v1/livestock-thefts/{theft_id}/cancel"): (L, R),
    ("GET", "/v1/records/due"): (R, S, C),
    ("POST", "/v1/records/{number}/validate"): (R, C),
    ("GET", "/v1/checkpoints"): ALL,
    ("POST", "/v1/checkpoints"): (ADM,),
    ("GET", "/v1/audit"): (A,),
    ("GET", "/v1/public/vehicles/{vin_or_plate}"): PUBLIC,
    ("GET", "/v1/receipts/{code}"): PUBLIC,
    ("GET", "/v1/receipts/{code}/proof"): PUBLIC,
    ("POST", "/v1/complaints"): PUBLIC,
    ("GET", "/v1/complaints/stats"): PUBLIC,
    ("GET", "/v1/complaints/stats.csv"): PUBLIC,
    ("GET", "/v1/complaints/{complaint}"): PUBLIC,  # with its secret
    ("GET", "/v1/complaints/{complaint}/proof"): PUBLIC,
    ("POST", "/v1/complaints/{complaint}/information"): PUBLIC,
    ("GET", "/v1/oversight/complaints"): (OV, S, A),
    ("GET", "/v1/oversight/complaints/{complaint}"): (OV, S, A),
    ("POST", "/v1/oversight/complaints/{complaint}/moves"): (OV,),
    ("POST", "/v1/oversight/complaints/{complaint}/notes"): (OV, S),
    ("POST", "/v1/certificates"): PUBLIC,
    ("GET", "/v1/certificates/keys"): PUBLIC,
    ("POST", "/v1/certificates/verify"): PUBLIC,
    ("GET", "/v1/certificates/{serial}"): PUBLIC,
    ("POST", "/v1/vehicles/{vin}/inspections"): (R,),
    ("POST", "/v1/custody/locations"): (ADM, S),
    ("GET", "/v1/custody/locations"): (OFF, S, CU, OV, A),
    ("POST", "/v1/seizures"): (OFF, S),
    ("GET", "/v1/seizures/{seizure}"): (OFF, S, CU, OV, A),
    ("GET", "/v1/seizures/{seizure}/receipt"): PUBLIC,
    ("GET", "/v1/seizures/{seizure}/proof"): PUBLIC,
    ("POST", "/v1/seizures/{seizure}/releases"): (S, CU),
    ("POST", "/v1/seizures/{seizure}/disposals"): (S, CU),
    ("POST", "/v1/custody/transfers"): (OFF, S, CU),
    ("GET", "/v1/custody/transfers"): (OFF, S, CU),
    ("POST", "/v1/custody/transfers/{transfer_id}/receive"): (OFF, S, CU),
    ("POST", "/v1/custody/transfers/{transfer_id}/decline"): (OFF, S, CU),
    ("POST", "/v1/custody/store"): (OFF, S, CU),
    ("GET", "/v1/custody/items/{seizure}/{item}/history"): (OFF, S, CU, OV, A),
    ("GET", "/v1/custody/outcomes/{outcome_id}"): (OFF, S, CU, OV, A),
    ("POST", "/v1/custody/detentions/{detention_id}/approve"): (S,),
    ("POST", "/v1/custody/detentions/{detention_id}/reject"): (S,),
    ("POST", "/v1/custody/vehicle-conditions"): (OFF, S, CU, R),
    ("GET", "/v1/custody/oversight"): (S, CU, OV, A),
    ("POST", "/v1/custody/audits"): (S, CU, OV, A),
    ("POST", "/v1/sightings/batch"): (CAM,),
    ("GET", "/v1/alerts"): (R, S, C, OV, A),
    ("GET", "/v1/alerts/{alert_id}"): (R, S, C, OV, A),
    ("POST", "/v1/alerts/{alert_id}/acknowledge"): (R, S, C),
    ("POST", "/v1/alerts/{alert_id}/close"): (R, S, C),
    ("GET", "/log/checkpoint"): PUBLIC,
    ("GET", "/log/tile/{path:path}"): PUBLIC,
    ("GET", "/v1/log/proofs/inclusion"): PUBLIC,
    ("GET", "/v1/log/proofs/consistency"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
}
SAMPLE = {
    "check_id": "00000000-0000-4000-8000-000000000000",
    "hit_id": "999999",
    "vin": "1M8GDM9AXKP042788",
    "report_id": "999999",
    "country": "VE",
    "national_id": "V1",
    "warrant_id": "999999",
    "permit_id": "999999",
    "number": "NOPE-1",
    "theft_id": "999999",
    "vin_or_plate": "AB123CD",
    "code": "AAAAA-AAAAA",
    "serial": "C-AAAAA-AAAAA",
    "complaint": "D-AAAAA-AAAAA",
    "seizure": "I-AAAAA-AAAAA",
    "transfer_id": "999999",
    "outcome_id": "999999",
    "detention_id": "999999",
    "item": "1",
    "alert_id": "999999",
}
FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def app_routes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.update((m, route.path) for m in route.methods)
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif hasattr(route, "routes"):
                walk(route.routes)

    walk(create_app(Settings(database_url="sqlite://", secret_key="routes")).routes)
    return {(m, p) for m, p in found if p not in FRAMEWORK}


def test_policy_covers_every_route() -> None:
    routes = app_routes()
    assert routes - set(POLICY) == set(), "routes without a policy entry"
    assert set(POLICY) - routes == set(), "policy entries for routes that do not exist"


@pytest.mark.parametrize(("method", "path"), sorted(POLICY))
def test_route_role_matrix(api: Any, method: str, path: str) -> None:
    url = path.replace("{path:path}", "0/000").format(**SAMPLE)
    allowed = POLICY[(method, path)]
    send = {"json": {}} if method == "POST" else {}
    anonymous = api.request(method, url, **send)
    if allowed == PUBLIC:
        assert anonymous.status_code not in (401, 403), anonymous.text
        return
    assert anonymous.status_code == 401, (method, path, anonymous.text)
    assert anonymous.json()["error"]["code"] == "unauthorized"
    for role in ALL:
        response = api.request(method, url, headers=api.auth_for(role), **send)
        if role in allowed:
            assert response.status_code not in (401, 403), (role, method, path, response.text)
            assert response.status_code < 500, (role, method, path, response.text)
        else:
            assert response.status_code == 403, (role, method, path, response.text)
            assert response.json()["error"]["code"] == "forbidden"
