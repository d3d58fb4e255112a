"""GET /api/v1/kb/search and /kb/suggest: the JSON contract and who sees what."""

from __future__ import annotations

import pytest

from helpline.kb.models import Article
from tests.factories import auth, token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/kb/search"


def test_anonymous_search_returns_ranked_public_articles_with_snippets(client, corpus):
    # when
    response = client.get(URL, {"q": "принтеры не печатают", "lang": "ru"})

    # then
    assert response.status_code == 200
    body = response.json()
    first = body["items"][0]
    assert set(first) == {"id", "slug", "title", "language", "type", "score", "snippet", "url"}
    assert first["slug"] == "printer-not-printing"
    assert first["language"] == "ru"
    assert first["type"] == "troubleshooting"
    assert first["url"] == "/kb/ru/printer-not-printing/"
    assert "<mark>" in first["snippet"]
    assert first["id"] == Article.objects.get(language="ru", slug="printer-not-printing").pk
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert body["count"] == len(body["items"])


def test_language_filter_keeps_one_language(client, corpus):
    response = client.get(URL, {"q": "vpn", "lang": "en"})

    assert {item["language"] for item in response.json()["items"]} == {"en"}


def test_internal_runbooks_never_reach_anonymous_or_requesters(client, corpus, personas):
    # given an internal runbook about unlocking accounts
    query = {"q": "runbook unlocking accounts active directory", "lang": "en"}

    # when anonymous, a requester and an agent search for it
    anonymous = client.get(URL, query).json()["items"]
    requester = client.get(URL, query, **auth(token_for(personas.requester))).json()["items"]
    agent = client.get(URL, query, **auth(token_for(personas.l1_agent))).json()["items"]

    # then only the agent finds it
    assert "runbook-ad-unlock" not in {i["slug"] for i in anonymous}
    assert "runbook-ad-unlock" not in {i["slug"] for i in requester}
    assert agent[0]["slug"] == "runbook-ad-unlock"


def test_session_signed_in_agent_sees_internal_articles(client, corpus, personas):
    client.force_login(personas.l2_agent)

    items = client.get(URL, {"q": "перезагрузка файлового сервера"}).json()["items"]

    assert items[0]["slug"] == "runbook-file-server-restart"


def test_drafts_are_not_searchable_by_anyone(client, corpus, personas):
    # given a published article sent back to draft
    from helpline.kb import services

    article = Article.objects.get(language="en", slug="excel-crash")
    services.change_status(personas.supervisor, article, "draft")

    # when an agent searches for it
    items = client.get(URL, {"q": "excel crash"}, **auth(token_for(personas.admin))).json()

    # then it is gone
    assert "excel-crash" not in {i["slug"] for i in items["items"]}


def test_bad_token_is_refused_not_downgraded(client, corpus):
    response = client.get(URL, {"q": "vpn"}, HTTP_AUTHORIZATION="Bearer nope")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_empty_query_returns_no_items(client, corpus):
    assert client.get(URL, {"q": "  "}).json()["items"] == []


def test_suggest_from_typed_request_text(client, corpus):
    response = client.get("/api/v1/kb/suggest", {"text": "не могу подключиться к впн из дома"})

    assert response.status_code == 200
    assert response.json()["items"][0]["slug"] == "vpn-connect"


def test_suggest_for_agent_uses_the_ticket_text(client, corpus, personas):
    from tests.factories import make_ticket

    ticket = make_ticket(personas.requester, subject="Outlook не запускается", body="Висит профиль")

    response = client.get(
        "/api/v1/kb/suggest",
        {"ticket_id": ticket.pk},
        **auth(token_for(personas.supervisor)),
    )

    assert response.json()["items"][0]["slug"] == "outlook-not-starting"


def test_deflection_is_logged_and_counted(client, corpus):
    article = Article.objects.get(language="ru", slug="password-reset")

    first = client.post(
        "/api/v1/kb/deflections",
        {"article_id": article.pk, "query": "забыл пароль"},
        content_type="application/json",
    )
    second = client.post(
        "/api/v1/kb/deflections", {"article_id": article.pk}, content_type="application/json"
    )

    assert first.status_code == 201
    assert second.json()["deflections"] == 2
    assert article.deflections.get(query="забыл пароль").user is None


def test_deflection_on_internal_article_is_not_found_for_anonymous(client, corpus):
    article = Article.objects.get(language="en", slug="runbook-ad-unlock")

    response = client.post(
        "/api/v1/kb/deflections", {"article_id": article.pk}, content_type="application/json"
    )

    assert response.status_code == 404
    assert article.deflections.count() == 0


@pytest.mark.parametrize("lang", ["RU", "ru-RU", "ru_RU", " ru "])
def test_language_codes_are_read_in_any_case_and_with_a_region(client, corpus, lang):
    response = client.get(URL, {"q": "принтер не печатает", "lang": lang})

    body = response.json()
    assert body["language"] == "ru"
    assert body["items"][0]["slug"] == "printer-not-printing"
    assert {item["language"] for item in body["items"]} == {"ru"}


@pytest.mark.parametrize("limit", ["-1", "0", str(10**30)])
def test_article_list_limit_out_of_range_is_clamped_not_500(client, corpus, limit):
    response = client.get("/api/v1/kb/articles", {"limit": limit})

    assert response.status_code in (200, 422), response.content[:300]
    if response.status_code == 200:
        assert 1 <= len(response.json()) <= 200
