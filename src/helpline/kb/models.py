"""Knowledge-base articles, user guides, their versions, feedback, and the search index."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.kb.choices import ArticleStatus, ArticleType, Audience, Language


class KbCategory(models.Model):
    """A shelf of the public knowledge base ("Printers", "E-mail")."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_ru = models.CharField(_("name in Russian"), max_length=120, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("knowledge-base category")
        verbose_name_plural = _("knowledge-base categories")

    def __str__(self) -> str:
        return self.name

    def localized_name(self, language: str) -> str:
        return self.name_ru if language == "ru" and self.name_ru else self.name


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)

    def visible_to(self, user) -> ArticleQuerySet:
        """Agents see every article; everyone else published public articles only."""
        if user is not None and user.is_authenticated and user.is_active and user.is_agent:
            return self
        return self.filter(status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC)


class Article(models.Model):
    """One article in one language; translations share a translation_group.

    A user guide is an article of type "guide" whose chapters point to it (guide +
    position) and form its table of contents.
    """

    slug = models.SlugField(max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    title = models.CharField(_("title"), max_length=250)
    type = models.CharField(
        _("type"), max_length=20, choices=ArticleType.choices, default=ArticleType.HOWTO
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    body_md = models.TextField(_("text (Markdown)"), blank=True)
    body_html = models.TextField(blank=True, help_text="Rendered and sanitised")
    tags = models.JSONField(default=list, blank=True)
    category = models.ForeignKey(
        KbCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    translation_group = models.UUIDField(default=uuid.uuid4, db_index=True)
    guide = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="chapters"
    )
    position = models.PositiveIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_articles",
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="articles_to_review"
    )
    review_due_at = models.DateTimeField(null=True, blank=True)
    source_path = models.CharField(
        max_length=300, blank=True, help_text="Relative path of the imported Markdown file"
    )
    view_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    not_helpful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="kb_unique_language_slug")
        ]
        indexes = [
            models.Index(fields=["status", "audience"], name="kb_article_status_idx"),
            models.Index(fields=["review_due_at"], name="kb_article_review_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/kb/{self.language}/{self.slug}/"

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.audience == Audience.PUBLIC


class ArticleVersion(models.Model):
    """Every save of an article: the full content, who, when and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=250)
    body_md = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleFeedback(models.Model):
    """ "Did this help?" with an optional comment, from anyone who read the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class ArticleTicketLink(models.Model):
    """An article that helped solve a ticket (or was drafted from it)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="kb_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "ticket"], name="kb_unique_article_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} -> #{self.ticket_id}"


class DeflectionEvent(models.Model):
    """A requester read a suggested article and left without opening a ticket."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"deflected by {self.article_id}"


class KbAttachment(models.Model):
    """An image or file embedded in or attached to an article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="kb/%Y/%m", max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=150, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class SearchDocument(models.Model):
    """The normalised, searchable form of one article or ticket (see core/search.py).

    On PostgreSQL a generated `search_vector` column and GIN index are added by a
    migration; on SQLite an FTS5 table `kb_searchdocument_fts` mirrors the *_norm columns.
    """

    kind = models.CharField(max_length=10)
    object_id = models.BigIntegerField()
    language = models.CharField(max_length=2, blank=True)
    is_public = models.BooleanField(default=False)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="Plain text, for snippets")
    title_norm = models.TextField(blank=True)
    tags_norm = models.TextField(blank=True)
    body_norm = models.TextField(blank=True)
    # Tickets only: who may see the ticket (Ticket.visible_to), copied at indexing so a
    # search filters candidates by plain columns instead of joining the tickets table.
    # A pre-filter only: the hits shown are checked against Ticket.visible_to again.
    requester_id = models.BigIntegerField(null=True, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    assignee_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="kb_unique_search_doc")
        ]
        indexes = [
            models.Index(
                fields=["requester_id"],
                name="kb_searchdoc_requester_idx",
                condition=models.Q(requester_id__isnull=False),
            ),
            models.Index(
                fields=["organization_id"],
                name="kb_searchdoc_org_idx",
                condition=models.Q(organization_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"

    def terms(self) -> list[str]:
        return (self.title_norm + " " + self.tags_norm + " " + self.body_norm).split()

    def field_length(self, name: str) -> int:
        return len(getattr(self, f"{name}_norm").split())


class SearchTerm(models.Model):
    """How many documents of a kind contain a term: idf for ranking, vocabulary for typos."""

    kind = models.CharField(max_length=10)
    term = models.CharField(max_length=100)
    df = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "term"], name="kb_unique_search_term")
        ]

    def __str__(self) -> str:
        return self.term


class SearchStats(models.Model):
    """Document count and total field lengths per kind, for BM25F length normalisation."""

    kind = models.CharField(max_length=10, unique=True)
    docs = models.IntegerField(default=0)
    title_length = models.BigIntegerField(default=0)
    tags_length = models.BigIntegerField(default=0)
    body_length = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.kind
