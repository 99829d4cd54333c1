"""Custody pages through TestClient, on SQLite and PostgreSQL: a supervisor approves a
detention made on a stated reason from ``/custodia`` (a reason is needed; the list is an
audited read), and a staff seizure page shows the release form only to its holder."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from alcabala.accounts.models import AuditEntry
from alcabala.custody.models import Detention
from alcabala.db.engine import read_session

from ..custody.test_api import NID, _seizure
from .conftest import csrf_of


def test_a_supervisor_approves_a_detention_from_the_console(pages: Any, api: Any) -> None:
    seized = _seizure(api)
    (detention,) = seized["detentions"]
    supervisor = pages.login("supervisor")
    home = supervisor.get("/custodia")
    assert home.status_code == 200 and NID in home.text and "Aprobar" in home.text
    with read_session(pages.door.engine) as s:
        audited = s.scalars(
            select(AuditEntry.subject).where(AuditEntry.reason == "detentions to approve")
        )
        assert NID in set(audited)
    url = f"/custodia/detenciones/{detention['id']}/aprobar"
    refused = supervisor.post(url, data={"csrf_token": csrf_of(home.text), "reason": ""})
    assert refused.status_code == 422 and "obligatorio" in refused.text
    done = supervisor.post(url, data={"csrf_token": csrf_of(home.text), "reason": "Flagrancia"})
    assert done.status_code == 200 and "Detención aprobada." in done.text
    with read_session(pages.door.engine) as s:
        assert s.get(Detention, detention["id"]).status == "approved"  # type: ignore[union-attr]
    officer = pages.login("officer")
    page = officer.get(f"/custodia/incautaciones/{seized['code']}")
    assert page.status_code == 200 and 'id="release"' not in page.text  # not a keeper
    assert "Aprobar" not in officer.get("/custodia").text
