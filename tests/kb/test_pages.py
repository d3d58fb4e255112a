"""Public knowledge-base pages and exports."""

from __future__ import annotations

import pytest

from helpline.kb import export
from helpline.kb.models import Article

pytestmark = pytest.mark.django_db


def test_index_lists_categories_and_searches(client, corpus):
    index = client.get("/kb/ru/")
    results = client.get("/kb/ru/", {"q": "аутлук не запускается"})

    assert index.status_code == 200
    assert "Принтер не печатает" in index.content.decode()
    body = results.content.decode()
    assert body.index("/kb/ru/outlook-not-starting/") < body.index("/kb/ru/mailbox-full/")


def test_article_page_has_stable_url_translation_and_counts_views(client, corpus):
    response = client.get("/kb/en/vpn-connect/")

    article = Article.objects.get(language="en", slug="vpn-connect")
    assert response.status_code == 200
    assert 'href="/kb/ru/vpn-connect/"' in response.content.decode()
    assert article.view_count == 1


def test_guide_page_shows_its_table_of_contents(client, corpus):
    body = client.get("/kb/ru/new-employee-guide/").content.decode()

    assert body.index("Глава 1. Первый вход") < body.index("Глава 2. Почта и календарь")


def test_internal_article_is_404_for_anonymous_and_visible_to_agents(client, corpus, personas):
    url = "/kb/en/runbook-ad-unlock/"

    anonymous = client.get(url)
    client.force_login(personas.l1_agent)
    agent = client.get(url)

    assert anonymous.status_code == 404
    assert agent.status_code == 200


def test_feedback_form_records_an_answer(client, corpus):
    response = client.post("/kb/en/vpn-connect/feedback/", {"helpful": "no", "comment": "Port?"})

    article = Article.objects.get(language="en", slug="vpn-connect")
    assert response.status_code == 302
    assert (article.not_helpful_count, article.feedback.get().comment) == (1, "Port?")


def test_guide_exports_as_one_self_contained_html_page(client, corpus):
    response = client.get("/kb/en/new-employee-guide/export.html")

    page = response.content.decode()
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<style>" in page and "stylesheet" not in page
    assert (
        page.index("IT guide for new employees")
        < page.index("Chapter 1.")
        < page.index("Chapter 2.")
    )


def test_pdf_export_uses_chromium_when_installed(client, corpus):
    if export.find_chromium() is None:
        response = client.get("/kb/en/vpn-connect/export.pdf")
        assert response.status_code == 501
        return

    response = client.get("/kb/en/vpn-connect/export.pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_article_set_export_keeps_internal_articles_from_anonymous(client, corpus):
    ids = [
        Article.objects.get(language="en", slug=slug).pk
        for slug in ("vpn-connect", "runbook-ad-unlock", "mfa-setup")
    ]

    page = client.get("/api/v1/kb/export", {"ids": ",".join(map(str, ids))}).content.decode()

    assert page.index("Connecting to the VPN") < page.index("Setting up multi-factor")
    assert "Runbook" not in page
