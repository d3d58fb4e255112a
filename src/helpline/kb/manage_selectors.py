"""Read queries of the agent-side knowledge-base workspace (authoring, review, versions).

Every function checks that the caller is an agent: requesters and anonymous callers
get Forbidden, whatever view or endpoint calls them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.core.problems import Forbidden, NotFound
from helpline.kb import services
from helpline.kb.choices import ArticleStatus, ArticleType, Audience, Language
from helpline.kb.models import Article, ArticleFeedback, ArticleTicketLink, ArticleVersion

FILTER_KEYS = ("status", "type", "language", "audience", "owner", "stale", "q")


def require_agent(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active or not user.is_agent:
        raise Forbidden(_("Only agents may manage the knowledge base."))


@dataclass(frozen=True)
class ArticleFilters:
    """The list's filters, already validated (unknown values are dropped)."""

    status: str = ""
    type: str = ""
    language: str = ""
    audience: str = ""
    owner: str = ""  # "", "me", or an owner's id
    stale: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, query) -> ArticleFilters:
        def pick(key: str, allowed) -> str:
            value = query.get(key, "")
            return value if value in allowed else ""

        owner = query.get("owner", "")
        return cls(
            status=pick("status", ArticleStatus.values),
            type=pick("type", ArticleType.values),
            language=pick("language", Language.values),
            audience=pick("audience", Audience.values),
            owner=owner if owner == "me" or owner.isdigit() else "",
            stale=query.get("stale") == "1",
            q=query.get("q", "").strip()[:200],
        )


def manage_articles(user, filters: ArticleFilters, *, now: dt.datetime | None = None):
    """Articles of every status for the authoring list, newest change first."""
    require_agent(user)
    articles = Article.objects.select_related("owner", "category").order_by("-updated_at", "-id")
    for key in ("status", "type", "language", "audience"):
        if getattr(filters, key):
            articles = articles.filter(**{key: getattr(filters, key)})
    if filters.owner:
        articles = articles.filter(owner=user if filters.owner == "me" else int(filters.owner))
    if filters.stale:
        articles = articles.filter(
            owner=user, status=ArticleStatus.PUBLISHED, review_due_at__lt=now or timezone.now()
        ).order_by("review_due_at")
    if filters.q:
        articles = articles.filter(Q(title__icontains=filters.q) | Q(slug__icontains=filters.q))
    return articles


def stale_count(user, *, now: dt.datetime | None = None) -> int:
    """How many of this owner's published articles are past their review date."""
    require_agent(user)
    return Article.objects.filter(
        owner=user, status=ArticleStatus.PUBLISHED, review_due_at__lt=now or timezone.now()
    ).count()


def owners() -> QuerySet:
    """The people who own at least one article (for the owner filter)."""
    from helpline.accounts.models import User

    return User.objects.filter(owned_articles__isnull=False).distinct().order_by("full_name")


def staff():
    from helpline.accounts.choices import STAFF_ROLES
    from helpline.accounts.models import User

    return User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("full_name", "email")


def get_managed_article(user, article_id: int) -> Article:
    require_agent(user)
    article = (
        Article.objects.select_related("owner", "category", "guide").filter(pk=article_id).first()
    )
    if article is None:
        raise NotFound(_("No such article."))
    return article


def versions_of(user, article: Article, limit: int | None = None) -> list[ArticleVersion]:
    """Newest first, without the texts (the diff loads the two it compares)."""
    require_agent(user)
    versions = article.versions.select_related("author").defer("body_md").order_by("-number")
    return list(versions[:limit] if limit else versions)


def helped_tickets(user, article: Article) -> list[ArticleTicketLink]:
    """Tickets this article helped solve, limited to tickets this agent may see."""
    from helpline.tickets.models import Ticket

    require_agent(user)
    visible = Ticket.objects.visible_to(user).values("pk")
    return list(
        ArticleTicketLink.objects.filter(article=article, ticket_id__in=visible)
        .select_related("ticket", "created_by")
        .order_by("-created_at")[:50]
    )


def recent_feedback(user, article: Article, limit: int = 20) -> list[ArticleFeedback]:
    require_agent(user)
    return list(article.feedback.select_related("user").order_by("-created_at")[:limit])


def translations(user, article: Article) -> list[Article]:
    require_agent(user)
    return list(
        Article.objects.filter(translation_group=article.translation_group)
        .exclude(pk=article.pk)
        .order_by("language")
    )


def guides() -> QuerySet[Article]:
    """User guides a chapter can belong to."""
    return Article.objects.filter(type=ArticleType.GUIDE).order_by("title")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "hunk", "file", "same"
    text: str


def diff_lines(user, article: Article, old: int, new: int) -> list[DiffLine]:
    """The unified diff of two versions as classified lines (the template escapes them)."""
    require_agent(user)
    lines = []
    for raw in services.diff_versions(article, old, new).splitlines():
        if raw.startswith(("+++", "---")):
            kind = "file"
        elif raw.startswith("@@"):
            kind = "hunk"
        elif raw.startswith("+"):
            kind = "add"
        elif raw.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        lines.append(DiffLine(kind, raw))
    return lines


def may_publish(user, article: Article) -> bool:
    require_agent(user)
    return services.may_publish(user, article)
