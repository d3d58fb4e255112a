import pytest

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_503_when_database_is_down(client, monkeypatch):
    from helpline.core import health

    monkeypatch.setattr(health, "_database_ok", lambda: False)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_readyz_reports_each_check(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "tasks": "ok"}
