from fastapi.testclient import TestClient

from alcabala.api.app import create_app


def test_healthz_answers_ok() -> None:
    client = TestClient(create_app())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_lists_healthz() -> None:
    client = TestClient(create_app())
    assert "/healthz" in client.get("/openapi.json").json()["paths"]
