"""Knowledge-base operations: the only writer of articles, versions, feedback and links."""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import markdown
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from helpline.core import search
from helpline.core.problems import Conflict, Forbidden, NotFound, ServiceError
from helpline.core.sanitize import html_to_text, sanitize_html
from helpline.kb.choices import TRANSITIONS, ArticleStatus, ArticleType, Audience, Language
from helpline.kb.models import (
    Article,
    ArticleFeedback,
    ArticleTicketLink,
    ArticleVersion,
    DeflectionEvent,
    KbCategory,
)

_INTERNAL_LINK = re.compile(r"\[\[([a-z0-9][a-z0-9-]*)(?:\|([^\]]+))?\]\]")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_RU_SLUG = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
    }
)


@dataclass
class ArticleData:
    """The editable content of an article."""

    title: str
    body_md: str = ""
    language: str = Language.EN
    type: str = ArticleType.HOWTO
    audience: str = Audience.PUBLIC
    tags: list[str] = field(default_factory=list)
    category: KbCategory | None = None
    slug: str = ""
    guide: Article | None = None
    position: int = 0
    translation_of: Article | None = None
    review_due_at: Any = None
    source_path: str = ""


# --------------------------------------------------------------------------- rendering


def make_slug(title: str) -> str:
    return slugify(title.lower().translate(_RU_SLUG))[:200] or "article"


def render_markdown(text: str, language: str = Language.EN) -> str:
    """Markdown -> sanitised HTML; [[slug]] and [[slug|text]] link to other articles."""

    def link(match: re.Match) -> str:
        slug, label = match.group(1), match.group(2) or match.group(1)
        return f"[{label}](/kb/{language}/{slug}/)"

    source = _INTERNAL_LINK.sub(link, text)
    rendered = markdown.markdown(source, extensions=["extra", "sane_lists", "toc"])
    return sanitize_html(rendered)


def _require_agent(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_agent:
        raise Forbidden(_("Only agents may edit the knowledge base."))


def _clean_tags(tags: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        cleaned = str(tag).strip().lower()[:60]
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return seen


def _validate(data: ArticleData) -> None:
    errors = []
    if not data.title.strip():
        errors.append({"field": "title", "message": _("A title is required.")})
    if data.language not in Language.values:
        errors.append({"field": "language", "message": _("Unknown language.")})
    if data.type not in ArticleType.values:
        errors.append({"field": "type", "message": _("Unknown article type.")})
    if data.audience not in Audience.values:
        errors.append({"field": "audience", "message": _("Unknown audience.")})
    if errors:
        raise ServiceError(_("The article is not valid."), code="validation-error", errors=errors)


# --------------------------------------------------------------------------- writing


def _snapshot(article: Article, author, message: str) -> ArticleVersion:
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body_md=article.body_md,
        tags=list(article.tags),
        author=author if getattr(author, "pk", None) else None,
        message=message[:300],
    )


def create_article(
    actor, data: ArticleData, *, message: str = "", status: str = ArticleStatus.DRAFT
) -> Article:
    """A new article (draft unless told otherwise) and its first version."""
    if actor is not None:
        _require_agent(actor)
    _validate(data)
    slug = data.slug or make_slug(data.title)
    with transaction.atomic():
        if Article.objects.filter(language=data.language, slug=slug).exists():
            raise Conflict(_("An article with this address already exists."), code="slug-taken")
        now = timezone.now()
        article = Article(
            slug=slug,
            language=data.language,
            title=data.title.strip(),
            type=data.type,
            audience=data.audience,
            status=status,
            body_md=data.body_md,
            body_html=render_markdown(data.body_md, data.language),
            tags=_clean_tags(data.tags),
            category=data.category,
            guide=data.guide,
            position=data.position,
            owner=actor if getattr(actor, "pk", None) else None,
            review_due_at=data.review_due_at,
            source_path=data.source_path,
            created_at=now,
            updated_at=now,
            published_at=now if status == ArticleStatus.PUBLISHED else None,
        )
        if data.translation_of is not None:
            article.translation_group = data.translation_of.translation_group
        article.save()
        _snapshot(article, actor, message or _("Created"))
        reindex_article(article.pk)
    return article


def update_article(actor, article: Article, data: ArticleData, *, message: str = "") -> Article:
    """Save new content as a new version; nothing is written when nothing changed."""
    if actor is not None:
        _require_agent(actor)
    _validate(data)
    tags = _clean_tags(data.tags)
    changed_content = (
        article.title != data.title.strip()
        or article.body_md != data.body_md
        or article.tags != tags
    )
    with transaction.atomic():
        article.title = data.title.strip()
        article.body_md = data.body_md
        article.body_html = render_markdown(data.body_md, data.language)
        article.tags = tags
        article.type = data.type
        article.audience = data.audience
        article.category = data.category
        if data.guide is not None:
            article.guide, article.position = data.guide, data.position
        if data.review_due_at is not None:
            article.review_due_at = data.review_due_at
        if data.translation_of is not None and data.translation_of.pk != article.pk:
            article.translation_group = data.translation_of.translation_group
        article.updated_at = timezone.now()
        article.save()
        if changed_content:
            _snapshot(article, actor, message or _("Edited"))
        reindex_article(article.pk)
    return article


def set_guide(actor, article: Article, guide: Article | None, position: int = 0) -> Article:
    """Make the article a chapter of a user guide (at a position), or take it out of one."""
    _require_agent(actor)
    if guide is not None and (guide.type != ArticleType.GUIDE or guide.pk == article.pk):
        raise ServiceError(
            _("A chapter can only belong to another article of type user guide."),
            code="invalid-guide",
        )
    article.guide, article.position = guide, position if guide is not None else 0
    article.updated_at = timezone.now()
    article.save(update_fields=["guide", "position", "updated_at"])
    return article


def restore_version(actor, article: Article, number: int) -> Article:
    """Bring back an old version's content as a new version."""
    _require_agent(actor)
    version = article.versions.filter(number=number).first()
    if version is None:
        raise NotFound(_("No such version."))
    data = _data_from(article)
    data.title, data.body_md, data.tags = version.title, version.body_md, list(version.tags)
    return update_article(actor, article, data, message=_("Restored version %(n)s") % {"n": number})


def _data_from(article: Article) -> ArticleData:
    return ArticleData(
        title=article.title,
        body_md=article.body_md,
        language=article.language,
        type=article.type,
        audience=article.audience,
        tags=list(article.tags),
        category=article.category,
        slug=article.slug,
    )


def diff_versions(article: Article, old: int, new: int) -> str:
    """A unified diff of two versions' title and text."""
    versions = {v.number: v for v in article.versions.filter(number__in=[old, new])}
    if old not in versions or new not in versions:
        raise NotFound(_("No such version."))

    def lines(v: ArticleVersion) -> list[str]:
        return [f"# {v.title}", f"tags: {', '.join(v.tags)}", "", *v.body_md.splitlines()]

    return "\n".join(
        difflib.unified_diff(
            lines(versions[old]),
            lines(versions[new]),
            fromfile=f"v{old}",
            tofile=f"v{new}",
            lineterm="",
        )
    )


def change_status(actor, article: Article, status: str) -> Article:
    """Move an article through draft -> in review -> published -> archived."""
    _require_agent(actor)
    if status not in TRANSITIONS.get(article.status, set()):
        raise Conflict(
            _("An article cannot go from %(old)s to %(new)s.")
            % {"old": article.status, "new": status},
            code="invalid-transition",
        )
    if status == ArticleStatus.PUBLISHED and not may_publish(actor, article):
        raise Forbidden(_("Only a reviewer or a supervisor may publish this article."))
    article.status = status
    article.updated_at = timezone.now()
    if status == ArticleStatus.PUBLISHED:
        article.published_at = article.updated_at
    article.save(update_fields=["status", "updated_at", "published_at"])
    reindex_article(article.pk)
    return article


def may_publish(actor, article: Article) -> bool:
    """Supervisors, administrators and the article's named reviewers publish."""
    if actor.sees_all_tickets:
        return True
    return article.reviewers.filter(pk=actor.pk).exists()


def set_review(actor, article: Article, *, reviewers: Iterable, owner=None, due_at=None) -> Article:
    """Name the reviewers, the owner and when the article is next due for review."""
    _require_agent(actor)
    article.reviewers.set(list(reviewers))
    if owner is not None:
        article.owner = owner
    article.review_due_at = due_at
    article.save(update_fields=["owner", "review_due_at"])
    return article


# Types an article may carry: images shown inline, documents offered as downloads. No
# HTML, SVG or scripts (they would run on our origin), no executables.
ATTACHMENT_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
_IMAGE_MAGIC = {
    "image/png": (b"\x89PNG",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


def _check_attachment_type(name: str, content_type: str, content: bytes) -> None:
    """Refuse types outside ATTACHMENT_TYPES, and images whose bytes are not that image."""
    magic = _IMAGE_MAGIC.get(content_type)
    if content_type not in ATTACHMENT_TYPES or (magic and not content.startswith(magic)):
        raise ServiceError(
            _("Files of this type cannot be attached: %(name)s.") % {"name": name},
            code="attachment-type",
            status=415,
        )


def add_attachment(actor, article: Article, filename: str, content: bytes, content_type: str = ""):
    """Store an image or file for an article; Markdown links to the returned URL.

    The type comes from the file name (the claimed content_type is not trusted) and must
    be in ATTACHMENT_TYPES; an image must also start with that image format's signature.
    """
    import mimetypes

    from django.core.files.base import ContentFile

    from helpline.kb.models import KbAttachment
    from helpline.tickets.attachments import check_size, sanitize_filename

    _require_agent(actor)
    check_size(filename, len(content))
    name = sanitize_filename(filename)
    guessed = mimetypes.guess_type(name)[0] or ""
    _check_attachment_type(name, guessed, content)
    attachment = KbAttachment(
        article=article,
        filename=name,
        content_type=guessed,
        size=len(content),
    )
    attachment.file.save(uuid.uuid4().hex, ContentFile(content), save=False)
    attachment.save()
    return attachment


def record_view(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def leave_feedback(user, article: Article, *, helpful: bool, comment: str = "") -> ArticleFeedback:
    """'Did this help?' from anyone who may read the article."""
    with transaction.atomic():
        feedback = ArticleFeedback.objects.create(
            article=article,
            helpful=helpful,
            comment=comment.strip()[:4000],
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        counter = "helpful_count" if helpful else "not_helpful_count"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    return feedback


def link_ticket(actor, article: Article, ticket_id: int) -> ArticleTicketLink:
    """Record that an article helped solve a ticket the agent can see."""
    from helpline.tickets.selectors import get_ticket

    _require_agent(actor)
    ticket = get_ticket(actor, ticket_id)
    link, _created = ArticleTicketLink.objects.get_or_create(
        article=article, ticket=ticket, defaults={"created_by": actor}
    )
    return link


def draft_from_ticket(actor, ticket_id: int, *, language: str = "") -> Article:
    """A draft pre-filled from a ticket's problem and its resolution (last agent reply)."""
    from helpline.tickets.selectors import get_ticket, messages_for

    _require_agent(actor)
    ticket = get_ticket(actor, ticket_id)
    messages = list(messages_for(actor, ticket).filter(kind="reply"))
    problem = messages[0].body_text if messages else ""
    answers = [m for m in messages[1:] if m.author_id and m.author_id != ticket.requester_id]
    resolution = answers[-1].body_text if answers else ""
    language = language or ("ru" if _CYRILLIC.search(ticket.subject + problem) else "en")
    heading = ("Проблема", "Решение") if language == "ru" else ("Problem", "Solution")
    body = f"## {heading[0]}\n\n{problem.strip()}\n\n## {heading[1]}\n\n{resolution.strip()}\n"
    slug = make_slug(ticket.subject)
    if Article.objects.filter(language=language, slug=slug).exists():
        slug = f"{slug}-{ticket.number}"
    data = ArticleData(
        title=ticket.subject,
        body_md=body,
        language=language,
        type=ArticleType.TROUBLESHOOTING,
        audience=Audience.INTERNAL,
        tags=[t.name for t in ticket.tags.all()],
        slug=slug,
    )
    with transaction.atomic():
        article = create_article(
            actor, data, message=_("Drafted from ticket #%(n)s") % {"n": ticket.number}
        )
        ArticleTicketLink.objects.create(article=article, ticket=ticket, created_by=actor)
    return article


def record_deflection(user, article: Article, query: str = "") -> DeflectionEvent:
    """A requester left after reading a suggested article: count it."""
    return DeflectionEvent.objects.create(
        article=article,
        user=user if getattr(user, "is_authenticated", False) else None,
        query=query[:500],
    )


# --------------------------------------------------------------------------- indexing


def article_document(article: Article) -> search.Document:
    category = article.category
    tags = list(article.tags)
    if category is not None:
        tags.append(category.localized_name(article.language))
    return search.Document(
        kind=search.ARTICLE,
        object_id=article.pk,
        language=article.language,
        title=article.title,
        body=html_to_text(article.body_html),
        tags=tags,
        is_public=article.audience == Audience.PUBLIC,
        url=article.get_absolute_url(),
    )


def reindex_article(article_id: int) -> None:
    """Published articles are searchable; anything else is taken out of the index."""
    article = Article.objects.select_related("category").filter(pk=article_id).first()
    if article is None or article.status != ArticleStatus.PUBLISHED:
        search.remove_documents(search.ARTICLE, [article_id])
        return
    search.index_documents([article_document(article)])


def reindex_all_articles() -> int:
    published = Article.objects.published().select_related("category")
    count = search.index_documents(article_document(a) for a in published.iterator())
    stale = Article.objects.exclude(status=ArticleStatus.PUBLISHED).values_list("pk", flat=True)
    search.remove_documents(search.ARTICLE, list(stale))
    return count
