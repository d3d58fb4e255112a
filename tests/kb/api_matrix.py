"""Authorisation matrix rows for the knowledge-base endpoints (collected by tests/api).

Search, suggestions, reading, feedback, deflections and exports are open to anonymous
callers (public articles only); writing needs an agent; publishing a reviewer or a
supervisor; internal articles are 404 for everyone but staff.
"""

from __future__ import annotations

from helpline.kb import services
from helpline.kb.models import Article
from tests.api.matrix_world import Row, expect, on_ticket, staff_only

OPEN = expect(200, anonymous=200)
REQUESTERS_403 = {"requester": 403, "other_requester": 403, "colleague": 403}


def _articles(world) -> None:
    """A public published article, an internal one, and a draft with one edit."""
    if Article.objects.filter(slug="matrix-public").exists():
        return
    public = services.ArticleData(
        title="Printer help", body_md="Printer tips.", slug="matrix-public"
    )
    services.create_article(None, public, status="published")
    internal = services.ArticleData(
        title="Runbook", body_md="Restart.", slug="matrix-internal", audience="internal"
    )
    services.create_article(None, internal, status="published")
    draft = services.create_article(
        None, services.ArticleData(title="Draft", body_md="v1", slug="matrix-draft")
    )
    services.update_article(None, draft, services.ArticleData(title="Draft", body_md="v2"))


def _id(slug: str) -> int:
    return Article.objects.get(slug=slug).pk


def _edit(world, persona: str) -> dict:
    return {"title": "Draft", "body_md": f"edited by {persona}"}


ROWS = [
    Row("GET", "/kb/search", OPEN, lambda w: "/kb/search?q=printer", given=_articles),
    Row("GET", "/kb/suggest", OPEN, lambda w: "/kb/suggest?text=printer", given=_articles),
    Row(
        "POST",
        "/kb/deflections",
        expect(201, anonymous=201),
        lambda w: "/kb/deflections",
        lambda w, p: {"article_id": _id("matrix-public"), "query": "printer"},
        given=_articles,
    ),
    Row("GET", "/kb/tickets/search", expect(200), lambda w: "/kb/tickets/search?q=printer"),
    Row("GET", "/kb/articles", OPEN, lambda w: "/kb/articles", given=_articles),
    Row(
        "POST",
        "/kb/articles",
        staff_only(201),
        lambda w: "/kb/articles",
        lambda w, p: {"title": f"New by {p}", "body_md": "text"},
    ),
    Row(
        "GET",
        "/kb/articles/{article_id}",
        staff_only(200, denied=404, anonymous=404),
        lambda w: f"/kb/articles/{_id('matrix-internal')}",
        given=_articles,
    ),
    Row(
        "GET",
        "/kb/articles/{article_id}",
        OPEN,
        lambda w: f"/kb/articles/{_id('matrix-public')}",
        variant="public",
        given=_articles,
    ),
    Row(
        "PUT",
        "/kb/articles/{article_id}",
        staff_only(200),
        lambda w: f"/kb/articles/{_id('matrix-draft')}",
        _edit,
        given=_articles,
    ),
    Row(
        "POST",
        "/kb/articles/{article_id}/status",
        staff_only(403, supervisor=200, admin=200),
        lambda w: f"/kb/articles/{_id('matrix-draft')}/status",
        lambda w, p: {"status": "published"},
        given=_articles,
    ),
    Row(
        "GET",
        "/kb/articles/{article_id}/versions",
        staff_only(200),
        lambda w: f"/kb/articles/{_id('matrix-draft')}/versions",
        given=_articles,
    ),
    Row(
        "GET",
        "/kb/articles/{article_id}/diff",
        staff_only(200),
        lambda w: f"/kb/articles/{_id('matrix-draft')}/diff?old=1&new=2",
        given=_articles,
    ),
    Row(
        "POST",
        "/kb/articles/{article_id}/restore",
        staff_only(200),
        lambda w: f"/kb/articles/{_id('matrix-draft')}/restore",
        lambda w, p: {"version": 1},
        given=_articles,
    ),
    Row(
        "POST",
        "/kb/articles/{article_id}/feedback",
        expect(201, anonymous=201),
        lambda w: f"/kb/articles/{_id('matrix-public')}/feedback",
        lambda w, p: {"helpful": True},
        given=_articles,
    ),
    Row(
        "POST",
        "/kb/articles/{article_id}/tickets",
        on_ticket(201, **REQUESTERS_403),
        lambda w: f"/kb/articles/{_id('matrix-public')}/tickets",
        lambda w, p: {"ticket_id": w.ticket.pk},
        given=_articles,
    ),
    Row(
        "POST",
        "/kb/drafts/from-ticket",
        on_ticket(201, **REQUESTERS_403),
        lambda w: "/kb/drafts/from-ticket",
        lambda w, p: {"ticket_id": w.ticket.pk},
    ),
    Row(
        "GET",
        "/kb/articles/{article_id}/export",
        OPEN,
        lambda w: f"/kb/articles/{_id('matrix-public')}/export?format=html",
        given=_articles,
    ),
    Row(
        "POST",
        "/kb/preview",
        staff_only(200),
        lambda w: "/kb/preview",
        lambda w, p: {"body_md": "**bold**"},
    ),
    Row("GET", "/kb/stale", staff_only(200), lambda w: "/kb/stale"),
    Row(
        "GET",
        "/kb/export",
        OPEN,
        lambda w: f"/kb/export?ids={_id('matrix-public')},{_id('matrix-internal')}",
        given=_articles,
    ),
    Row(
        "POST",
        "/kb/articles/{article_id}/review",
        staff_only(200),
        lambda w: f"/kb/articles/{_id('matrix-draft')}/review",
        lambda w, p: {"reviewer_ids": [w.p.l2_agent.pk]},
        given=_articles,
    ),
    Row(
        "POST",
        "/kb/articles/{article_id}/attachments",
        staff_only(201),
        lambda w: f"/kb/articles/{_id('matrix-public')}/attachments",
        lambda w, p: {"file": ("diagram.png", b"\x89PNG matrix")},
        multipart=True,
        given=_articles,
    ),
]
