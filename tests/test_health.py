from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from alcabala.api.app import create_app
from alcabala.config import Settings


def _app(tmp_path: Path) -> Any:
    return create_app(Settings(database_url=f"sqlite:///{tmp_path}/h.db", data_dir=tmp_path))


def test_healthz_answers_ok(tmp_path: Path) -> None:
    client = TestClient(_app(tmp_path))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_lists_healthz(tmp_path: Path) -> None:
    client = TestClient(_app(tmp_path))
    assert "/healthz" in client.get("/openapi.json").json()["paths"]
