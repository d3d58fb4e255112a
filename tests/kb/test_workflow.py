"""Review workflow, feedback, ticket links and drafts from tickets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helpline.core.problems import Conflict, Forbidden, NotFound
from helpline.kb import selectors, services
from helpline.kb.models import Article, ArticleTicketLink
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _article(agent, **fields) -> Article:
    return services.create_article(
        agent, services.ArticleData(title="Printer toner", body_md="Replace the toner.", **fields)
    )


def test_review_flow_draft_review_published_archived(personas):
    article = _article(personas.l1_agent)
    services.set_review(personas.l1_agent, article, reviewers=[personas.l2_agent])

    services.change_status(personas.l1_agent, article, "in_review")
    services.change_status(personas.l2_agent, article, "published")
    published = article.published_at
    services.change_status(personas.l2_agent, article, "archived")

    article.refresh_from_db()
    assert article.status == "archived"
    assert published is not None


def test_only_reviewers_or_supervisors_publish(personas):
    article = _article(personas.l1_agent)
    services.change_status(personas.l1_agent, article, "in_review")

    with pytest.raises(Forbidden):
        services.change_status(personas.l1_agent, article, "published")
    article.refresh_from_db()
    assert article.status == "in_review"


def test_archived_cannot_jump_to_published(personas):
    article = _article(personas.l1_agent)
    services.change_status(personas.supervisor, article, "archived")

    with pytest.raises(Conflict):
        services.change_status(personas.supervisor, article, "published")


def test_publishing_makes_it_searchable_and_archiving_removes_it(personas):
    article = _article(personas.l1_agent)
    assert selectors.search_articles(None, "toner") == []

    services.change_status(personas.supervisor, article, "published")
    found = [h.object_id for h in selectors.search_articles(None, "toner")]
    services.change_status(personas.supervisor, article, "archived")

    assert found == [article.pk]
    assert selectors.search_articles(None, "toner") == []


def test_stale_articles_are_listed_for_their_owner(personas):
    now = timezone.now()
    stale = _article(personas.l1_agent, review_due_at=now - dt.timedelta(days=1))
    services.change_status(personas.supervisor, stale, "published")
    fresh = services.create_article(
        personas.l1_agent,
        services.ArticleData(title="Fresh", body_md="x", review_due_at=now + dt.timedelta(days=9)),
    )
    services.change_status(personas.supervisor, fresh, "published")

    assert list(selectors.stale_articles(personas.l1_agent, now=now)) == [stale]
    assert list(selectors.stale_articles(personas.l2_agent, now=now)) == []


def test_feedback_and_views_are_counted(personas):
    article = _article(personas.l1_agent)

    services.leave_feedback(None, article, helpful=True)
    services.leave_feedback(personas.requester, article, helpful=False, comment="Missing a step")
    services.record_view(article)

    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count, article.view_count) == (1, 1, 1)
    assert article.feedback.get(helpful=False).comment == "Missing a step"


def test_draft_from_ticket_takes_problem_and_resolution(personas):
    from helpline.tickets import services as ticket_services

    ticket = make_ticket(
        personas.requester, subject="Сканер не сканирует", body="МФУ пишет ошибку E-05"
    )
    ticket_services.add_message(personas.l1_agent, ticket, body="Перезагрузите МФУ кнопкой")

    article = services.draft_from_ticket(personas.l1_agent, ticket.pk)

    assert (article.title, article.language, article.status, article.audience) == (
        "Сканер не сканирует",
        "ru",
        "draft",
        "internal",
    )
    assert "МФУ пишет ошибку E-05" in article.body_md
    assert "Перезагрузите МФУ кнопкой" in article.body_md
    assert ArticleTicketLink.objects.filter(article=article, ticket=ticket).exists()


def test_agent_who_cannot_see_the_ticket_cannot_link_or_draft(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    article = _article(personas.l1_agent)

    with pytest.raises(NotFound):
        services.link_ticket(personas.agent_other_team, article, ticket.pk)
    with pytest.raises(NotFound):
        services.draft_from_ticket(personas.agent_other_team, ticket.pk)

    assert ArticleTicketLink.objects.count() == 0
    assert Article.objects.count() == 1


def test_link_article_to_solved_ticket_is_idempotent(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    article = _article(personas.l1_agent)

    services.link_ticket(personas.l1_agent, article, ticket.pk)
    services.link_ticket(personas.l1_agent, article, ticket.pk)

    assert list(article.ticket_links.values_list("ticket_id", flat=True)) == [ticket.pk]


def test_review_settings_over_the_api(client, personas):
    from tests.factories import auth, token_for

    article = _article(personas.l1_agent)
    headers = auth(token_for(personas.l1_agent))

    ok = client.post(
        f"/api/v1/kb/articles/{article.pk}/review",
        {
            "reviewer_ids": [personas.l2_agent.pk],
            "owner_id": personas.l1_agent.pk,
            "review_due_at": "2030-01-01T00:00:00Z",
        },
        content_type="application/json",
        **headers,
    )
    refused = client.post(
        f"/api/v1/kb/articles/{article.pk}/review",
        {"reviewer_ids": [personas.requester.pk]},
        content_type="application/json",
        **headers,
    )

    assert ok.status_code == 200
    assert list(article.reviewers.all()) == [personas.l2_agent]
    assert refused.status_code == 422
    assert list(article.reviewers.all()) == [personas.l2_agent]


def test_image_upload_is_served_only_to_readers_of_the_article(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import auth, token_for

    article = services.create_article(
        personas.l1_agent,
        services.ArticleData(title="Runbook", body_md="x", audience="internal", slug="rb"),
        status="published",
    )
    upload = client.post(
        f"/api/v1/kb/articles/{article.pk}/attachments",
        {"file": SimpleUploadedFile("screen.png", b"\x89PNG data", "image/png")},
        **auth(token_for(personas.l1_agent)),
    )
    url = upload.json()["url"]

    anonymous = client.get(url)
    client.force_login(personas.l2_agent)
    agent = client.get(url)

    assert upload.status_code == 201
    assert upload.json()["markdown"] == f"![screen.png]({url})"
    assert anonymous.status_code == 404
    assert agent.status_code == 200
    assert agent["Content-Type"] == "image/png"
    assert b"".join(agent.streaming_content) == b"\x89PNG data"
