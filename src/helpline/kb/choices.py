"""Enumerations of the knowledge base."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleType(models.TextChoices):
    FAQ = "faq", _("FAQ")
    HOWTO = "howto", _("How-to instruction")
    TROUBLESHOOTING = "troubleshooting", _("Troubleshooting guide")
    TECHNICAL = "technical", _("Technical documentation")
    KNOWN_ERROR = "known_error", _("Known error")
    RUNBOOK = "runbook", _("Internal runbook")
    GUIDE = "guide", _("User guide")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class Language(models.TextChoices):
    RU = "ru", _("Russian")
    EN = "en", _("English")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# Allowed review-workflow moves: from -> {to}.
TRANSITIONS: dict[str, set[str]] = {
    ArticleStatus.DRAFT: {ArticleStatus.IN_REVIEW, ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED},
    ArticleStatus.IN_REVIEW: {
        ArticleStatus.DRAFT,
        ArticleStatus.PUBLISHED,
        ArticleStatus.ARCHIVED,
    },
    ArticleStatus.PUBLISHED: {ArticleStatus.DRAFT, ArticleStatus.ARCHIVED},
    ArticleStatus.ARCHIVED: {ArticleStatus.DRAFT},
}
