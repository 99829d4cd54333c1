"""The court's liaison signs in to the console and finds the warrants from its navigation."""

from __future__ import annotations

from typing import Any

from alcabala.accounts.passwords import hasher_for
from alcabala.accounts.services import set_password
from alcabala.context import SYSTEM, Door

from ..helpers import PASSWORD, sign_in


def test_court_lands_on_warrants_and_sees_only_its_entries(api: Any) -> None:
    from fastapi.testclient import TestClient

    door: Door = api.app.state.door
    with door.write(SYSTEM) as ctx:
        set_password(ctx.session, "court", PASSWORD, hasher_for(ctx.settings))
    client = TestClient(api.app)
    r = sign_in(client, "court")
    assert r.status_code == 303
    assert r.headers["location"] == "/registry/persons"
    page = client.get("/registry/persons")
    assert page.status_code == 200
    assert 'href="/registry/persons"' in page.text
    assert "Órdenes de captura" in page.text  # the entry, in the console's Spanish
    for other in ('href="/console"', 'href="/registry/hits"', 'href="/dashboard"'):
        assert other not in page.text
