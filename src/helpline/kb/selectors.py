"""Read queries of the knowledge base, with permissions built in."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.core import search
from helpline.core.problems import NotFound
from helpline.kb.choices import ArticleStatus, Language
from helpline.kb.models import Article, DeflectionEvent, KbCategory, SearchDocument


def is_agent(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_agent)


def articles_for(user) -> QuerySet[Article]:
    return Article.objects.visible_to(user).select_related("category", "owner")


def get_article(user, article_id: int) -> Article:
    article = articles_for(user).filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def get_article_by_slug(user, language: str, slug: str) -> Article:
    article = articles_for(user).filter(language=language, slug=slug).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def translations_of(user, article: Article) -> QuerySet[Article]:
    return (
        articles_for(user)
        .filter(translation_group=article.translation_group)
        .exclude(pk=article.pk)
        .order_by("language")
    )


def chapters_of(user, guide: Article) -> list[Article]:
    """The table of contents of a user guide, in order."""
    return list(articles_for(user).filter(guide=guide).order_by("position", "id"))


def categories_with_articles(user, language: str) -> list[KbCategory]:
    visible = articles_for(user).filter(status=ArticleStatus.PUBLISHED, language=language)
    return list(
        KbCategory.objects.prefetch_related(
            Prefetch("articles", queryset=visible.order_by("title"), to_attr="visible_articles")
        )
        .annotate(n=Count("articles"))
        .filter(n__gt=0)
    )


def article_scope(user, language: str | None = None) -> QuerySet[SearchDocument]:
    """The search documents of the articles this person may find."""
    scope = SearchDocument.objects.filter(kind=search.ARTICLE)
    if not is_agent(user):
        scope = scope.filter(is_public=True)
    if language in Language.values:
        scope = scope.filter(language=language)
    return scope


# The database ranks at most ~1,000 articles per query (their tsvectors are long, so each
# ranked row costs); the rarest words fetch them, every word counts in the ranking.
ARTICLE_RETRIEVAL_BUDGET = 1000


def search_articles(
    user, query: str, *, language: str | None = None, limit: int = 10
) -> list[search.Hit]:
    """Ranked published articles; anonymous people and requesters get public ones only."""
    if not query.strip():
        return []
    return search.search(
        query,
        kind=search.ARTICLE,
        scope=article_scope(user, language),
        limit=limit,
        retrieval_budget=ARTICLE_RETRIEVAL_BUDGET,
    )


def _items(hits: list[search.Hit]) -> list[dict]:
    """Search hits shaped for the API: the article's id, slug and type alongside."""
    articles = Article.objects.only("id", "slug", "type").in_bulk([h.object_id for h in hits])
    items = []
    for hit in hits:
        article = articles.get(hit.object_id)
        if article is None:
            continue
        items.append(
            {
                "id": article.pk,
                "slug": article.slug,
                "title": hit.title,
                "language": hit.language,
                "type": article.type,
                "score": hit.score,
                "snippet": hit.snippet,
                "url": hit.url,
            }
        )
    return items


def search_article_items(user, query: str, *, language: str | None = None, limit: int = 10):
    return _items(search_articles(user, query, language=language, limit=limit))


def suggest_article_items(user, text: str, *, ticket_id: int | None = None, limit: int = 5):
    return _items(suggest_articles(user, text, ticket_id=ticket_id, limit=limit))


# Ticket search: the database ranks at most ~1,500 matching tickets per query (the rarest
# words up to that many documents; beyond, tickets must hold every word, and the newest
# holding the rarest word fill up), and 50 candidates are re-ranked in Python.
TICKET_CANDIDATES = 50
TICKET_RETRIEVAL_BUDGET = 1500


def ticket_scope(user) -> QuerySet[SearchDocument]:
    """The search documents of the tickets this person may see, by the visibility columns
    copied onto them at indexing (the rules of Ticket.visible_to, without joining tickets)."""
    from helpline.tickets.querysets import visibility

    scope = SearchDocument.objects.filter(kind=search.TICKET)
    rule = visibility(user)
    return scope.none() if rule is None else scope.filter(rule)


def search_tickets(user, query: str, *, limit: int = 10) -> list[search.Hit]:
    """Ranked tickets among those the person may see (Ticket.visible_to)."""
    from helpline.tickets.models import Ticket

    if not query.strip() or user is None or not user.is_authenticated:
        return []

    def allowed(ticket_ids: list[int]) -> set[int]:
        # The copied columns may lag a change by one indexing task: the hits are checked
        # against the tickets themselves, so nothing shown is ever out of bounds.
        if user.sees_all_tickets:
            return set(ticket_ids)
        return set(
            Ticket.objects.visible_to(user).filter(pk__in=ticket_ids).values_list("pk", flat=True)
        )

    return search.search(
        query,
        kind=search.TICKET,
        scope=ticket_scope(user),
        limit=limit,
        candidate_limit=TICKET_CANDIDATES,
        retrieval_budget=TICKET_RETRIEVAL_BUDGET,
        newest_fill=True,
        allowed=allowed,
    )


def suggestion_text(user, ticket_id: int) -> str:
    """The words a ticket is about, for reply suggestions (agents only)."""
    from helpline.tickets.selectors import get_ticket, messages_for

    ticket = get_ticket(user, ticket_id)
    messages = list(messages_for(user, ticket).filter(kind="reply")[:3])
    return " ".join([ticket.subject, *(m.body_text[:1000] for m in messages)])


def suggest_articles(
    user, text: str, *, ticket_id: int | None = None, limit: int = 5
) -> list[search.Hit]:
    """Articles for a reply being written (from the ticket) or a request being typed."""
    if ticket_id is not None and is_agent(user):
        text = f"{text} {suggestion_text(user, ticket_id)}"
    return search_articles(user, text[:2000], limit=limit)


def stale_articles(user, *, now: dt.datetime | None = None) -> QuerySet[Article]:
    """Published articles of this owner whose review date has passed."""
    now = now or timezone.now()
    return Article.objects.filter(
        owner=user, status=ArticleStatus.PUBLISHED, review_due_at__lt=now
    ).order_by("review_due_at")


def deflection_count(article: Article | None = None) -> int:
    events = DeflectionEvent.objects.all()
    if article is not None:
        events = events.filter(article=article)
    return events.count()
