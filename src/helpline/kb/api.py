"""Knowledge base over REST: search, suggestions, deflections, articles and their versions.

Search, suggestions, reading and feedback work for anonymous callers too (public
articles only): those endpoints set auth=None and resolve the caller themselves, so a
token or session still unlocks internal articles for agents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from helpline.accounts.services import authenticate_token
from helpline.api.auth import require_scope
from helpline.core.problems import Forbidden, ServiceError
from helpline.kb import export, selectors, services
from helpline.kb.choices import Language
from helpline.kb.models import Article, KbCategory

router = Router(tags=["knowledge base"])


# --- callers -------------------------------------------------------------------------


def caller(request: HttpRequest) -> Any:
    """The signed-in person (bearer/X-API-Token or session), else AnonymousUser."""
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
    raw = raw or request.headers.get("X-API-Token", "").strip()
    if raw:
        token = authenticate_token(raw)
        if token is None:
            raise ServiceError("The API token is not valid.", code="not-authenticated", status=401)
        request.api_token = token  # type: ignore[attr-defined]
        return token.user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else AnonymousUser()


def _agent(request: HttpRequest, scope: str = "kb:write") -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not user.is_agent:
        raise Forbidden("Only agents may do this.")
    require_scope(request, scope)
    return user


# --- schemas -------------------------------------------------------------------------

LanguageCode = Literal["ru", "en"]
TypeCode = Literal[
    "faq", "howto", "troubleshooting", "technical", "known_error", "runbook", "guide"
]


class KbSearchItem(Schema):
    id: int
    slug: str
    title: str
    language: str
    type: str
    score: float
    snippet: str
    url: str


class KbSearchOut(Schema):
    items: list[KbSearchItem]
    query: str
    language: str | None
    count: int


class KbTicketHit(Schema):
    id: int
    title: str
    score: float
    snippet: str
    url: str


class KbTicketSearchOut(Schema):
    items: list[KbTicketHit]
    query: str
    count: int


class KbDeflectionIn(Schema):
    article_id: int
    query: str = Field("", max_length=500)


class KbDeflectionOut(Schema):
    id: int
    article_id: int
    deflections: int


class KbArticleIn(Schema):
    title: str = Field(..., min_length=1, max_length=250)
    body_md: str = Field("", max_length=200_000)
    language: LanguageCode = "en"
    type: TypeCode = "howto"
    audience: Literal["public", "internal"] = "public"
    tags: list[str] = []
    category: str = ""
    slug: str = Field("", max_length=200, pattern=r"^$|^[a-z0-9][a-z0-9-]*$")
    translation_of: int | None = None
    guide_id: int | None = None
    position: int = 0
    message: str = Field("", max_length=300)


class KbArticleOut(Schema):
    id: int
    slug: str
    language: str
    title: str
    type: str
    audience: str
    status: str
    tags: list[str]
    category: str | None
    body_md: str
    body_html: str
    url: str
    view_count: int
    helpful_count: int
    not_helpful_count: int
    version: int
    translations: list[dict[str, Any]]
    chapters: list[dict[str, Any]]


class KbVersionOut(Schema):
    number: int
    title: str
    author: str | None
    message: str
    created_at: str


class KbStatusIn(Schema):
    status: Literal["draft", "in_review", "published", "archived"]


class KbRestoreIn(Schema):
    version: int


class KbFeedbackIn(Schema):
    helpful: bool
    comment: str = Field("", max_length=4000)


class KbTicketLinkIn(Schema):
    ticket_id: int


class KbFromTicketIn(Schema):
    ticket_id: int
    language: str = ""


class KbReviewIn(Schema):
    reviewer_ids: list[int] = []
    owner_id: int | None = None
    review_due_at: dt.datetime | None = None


class KbAttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str
    markdown: str


class KbPreviewIn(Schema):
    body_md: str = Field("", max_length=200_000)
    language: LanguageCode = "en"


class KbPreviewOut(Schema):
    html: str


# --- shaping -------------------------------------------------------------------------


def article_out(user: Any, article: Article) -> dict[str, Any]:
    last = article.versions.order_by("-number").values_list("number", flat=True).first()
    return {
        "id": article.pk,
        "slug": article.slug,
        "language": article.language,
        "title": article.title,
        "type": article.type,
        "audience": article.audience,
        "status": article.status,
        "tags": list(article.tags),
        "category": article.category.slug if article.category else None,
        "body_md": article.body_md,
        "body_html": article.body_html,
        "url": article.get_absolute_url(),
        "view_count": article.view_count,
        "helpful_count": article.helpful_count,
        "not_helpful_count": article.not_helpful_count,
        "version": last or 0,
        "translations": [
            {"id": t.pk, "language": t.language, "slug": t.slug, "url": t.get_absolute_url()}
            for t in selectors.translations_of(user, article)
        ],
        "chapters": [
            {"id": c.pk, "title": c.title, "position": c.position, "url": c.get_absolute_url()}
            for c in selectors.chapters_of(user, article)
        ],
    }


def _data(payload: KbArticleIn, user: Any) -> services.ArticleData:
    category = None
    if payload.category:
        category = KbCategory.objects.filter(slug=payload.category).first()
        if category is None:
            raise ServiceError("No such category.", code="validation-error", status=422)
    translation_of = guide = None
    if payload.translation_of:
        translation_of = selectors.get_article(user, payload.translation_of)
    if payload.guide_id:
        guide = selectors.get_article(user, payload.guide_id)
    return services.ArticleData(
        title=payload.title,
        body_md=payload.body_md,
        language=payload.language,
        type=payload.type,
        audience=payload.audience,
        tags=payload.tags,
        category=category,
        slug=payload.slug,
        translation_of=translation_of,
        guide=guide,
        position=payload.position,
    )


# --- search and suggestions ----------------------------------------------------------


def _language(lang: str | None) -> str | None:
    """`ru`, `RU`, `ru-RU`, `en_GB` -> the language; anything else searches every language."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in Language.values else None


@router.get("/search", response=KbSearchOut, auth=None, summary="Search articles")
def search_articles(request: HttpRequest, q: str = "", lang: str | None = None, limit: int = 10):
    """Ranked articles with highlighted snippets; anonymous callers get public ones only."""
    user = caller(request)
    language = _language(lang)
    items = selectors.search_article_items(user, q, language=language, limit=min(max(limit, 1), 50))
    return {"items": items, "query": q, "language": language, "count": len(items)}


@router.get("/suggest", response=KbSearchOut, auth=None, summary="Suggest articles")
def suggest(request: HttpRequest, text: str = "", ticket_id: int | None = None, limit: int = 5):
    """Articles for the text a requester is typing, or (agents) for a ticket's reply."""
    user = caller(request)
    items = selectors.suggest_article_items(
        user, text, ticket_id=ticket_id, limit=min(max(limit, 1), 20)
    )
    return {"items": items, "query": text, "language": None, "count": len(items)}


@router.post("/deflections", response={201: KbDeflectionOut}, auth=None)
def record_deflection(request: HttpRequest, payload: KbDeflectionIn):
    """A requester read a suggested article and left without opening a ticket."""
    user = caller(request)
    article = selectors.get_article(user, payload.article_id)
    event = services.record_deflection(user, article, payload.query)
    return 201, {
        "id": event.pk,
        "article_id": article.pk,
        "deflections": selectors.deflection_count(article),
    }


@router.get("/tickets/search", response=KbTicketSearchOut, summary="Search tickets")
def search_tickets(request: HttpRequest, q: str = "", limit: int = 10):
    """The same search over the tickets the caller may see."""
    hits = selectors.search_tickets(request.auth, q, limit=min(max(limit, 1), 50))  # type: ignore[attr-defined]
    items = [
        {"id": h.object_id, "title": h.title, "score": h.score, "snippet": h.snippet, "url": h.url}
        for h in hits
    ]
    return {"items": items, "query": q, "count": len(items)}


# --- articles ------------------------------------------------------------------------


@router.get("/articles", response=list[KbArticleOut], auth=None)
def list_articles(
    request: HttpRequest, lang: str | None = None, status: str | None = None, limit: int = 50
):
    user = caller(request)
    articles = selectors.articles_for(user)
    if lang:
        articles = articles.filter(language=_language(lang) or lang)
    if status:
        articles = articles.filter(status=status)
    limit = min(max(limit, 1), 200)
    return [article_out(user, a) for a in articles.order_by("-updated_at")[:limit]]


@router.post("/articles", response={201: KbArticleOut})
def create_article(request: HttpRequest, payload: KbArticleIn):
    user = _agent(request)
    article = services.create_article(user, _data(payload, user), message=payload.message)
    return 201, article_out(user, article)


@router.get("/articles/{article_id}", response=KbArticleOut, auth=None)
def get_article(request: HttpRequest, article_id: int):
    user = caller(request)
    article = selectors.get_article(user, article_id)
    services.record_view(article)
    return article_out(user, article)


@router.put("/articles/{article_id}", response=KbArticleOut)
def update_article(request: HttpRequest, article_id: int, payload: KbArticleIn):
    user = _agent(request)
    article = selectors.get_article(user, article_id)
    services.update_article(user, article, _data(payload, user), message=payload.message)
    return article_out(user, article)


@router.post("/articles/{article_id}/status", response=KbArticleOut)
def change_status(request: HttpRequest, article_id: int, payload: KbStatusIn):
    user = _agent(request)
    article = services.change_status(user, selectors.get_article(user, article_id), payload.status)
    return article_out(user, article)


@router.get("/articles/{article_id}/versions", response=list[KbVersionOut])
def list_versions(request: HttpRequest, article_id: int):
    user = _agent(request, "kb:read")
    article = selectors.get_article(user, article_id)
    return [
        {
            "number": v.number,
            "title": v.title,
            "author": v.author.email if v.author else None,
            "message": v.message,
            "created_at": v.created_at.isoformat(),
        }
        for v in article.versions.select_related("author").order_by("number")
    ]


@router.get("/articles/{article_id}/diff")
def diff_versions(request: HttpRequest, article_id: int, old: int, new: int):
    """A unified diff between two versions, as text/plain."""
    user = _agent(request, "kb:read")
    article = selectors.get_article(user, article_id)
    return HttpResponse(
        services.diff_versions(article, old, new), content_type="text/plain; charset=utf-8"
    )


@router.post("/articles/{article_id}/restore", response=KbArticleOut)
def restore_version(request: HttpRequest, article_id: int, payload: KbRestoreIn):
    user = _agent(request)
    article = selectors.get_article(user, article_id)
    services.restore_version(user, article, payload.version)
    return article_out(user, article)


@router.post("/articles/{article_id}/feedback", response={201: dict}, auth=None)
def leave_feedback(request: HttpRequest, article_id: int, payload: KbFeedbackIn):
    user = caller(request)
    article = selectors.get_article(user, article_id)
    feedback = services.leave_feedback(
        user, article, helpful=payload.helpful, comment=payload.comment
    )
    return 201, {"id": feedback.pk, "helpful": feedback.helpful}


@router.post("/articles/{article_id}/tickets", response={201: dict})
def link_ticket(request: HttpRequest, article_id: int, payload: KbTicketLinkIn):
    """Record that this article helped solve a ticket."""
    user = _agent(request)
    article = selectors.get_article(user, article_id)
    link = services.link_ticket(user, article, payload.ticket_id)
    return 201, {"article_id": link.article_id, "ticket_id": link.ticket_id}


@router.post("/drafts/from-ticket", response={201: KbArticleOut})
def draft_from_ticket(request: HttpRequest, payload: KbFromTicketIn):
    """A draft pre-filled from a ticket's problem and its resolution."""
    user = _agent(request)
    article = services.draft_from_ticket(user, payload.ticket_id, language=payload.language)
    return 201, article_out(user, article)


@router.get("/articles/{article_id}/export", auth=None)
def export_article(request: HttpRequest, article_id: int, format: str = "html"):
    """A user guide (with its chapters) or an article as one HTML page or a PDF."""
    user = caller(request)
    article = selectors.get_article(user, article_id)
    if format not in ("html", "pdf"):
        raise ServiceError("format must be html or pdf.", code="validation-error", status=422)
    return export.export_response(user, [article], format)


@router.post("/articles/{article_id}/review", response=KbArticleOut)
def set_review(request: HttpRequest, article_id: int, payload: KbReviewIn):
    """Name the reviewers (agents), the owner and the next review date."""
    from helpline.accounts.choices import STAFF_ROLES
    from helpline.accounts.models import User

    user = _agent(request)
    article = selectors.get_article(user, article_id)
    staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
    reviewers = list(staff.filter(pk__in=payload.reviewer_ids))
    owner = staff.filter(pk=payload.owner_id).first() if payload.owner_id else None
    if len(reviewers) != len(set(payload.reviewer_ids)) or (payload.owner_id and not owner):
        raise ServiceError(
            "Reviewers and owners must be agents.", code="validation-error", status=422
        )
    services.set_review(
        user, article, reviewers=reviewers, owner=owner, due_at=payload.review_due_at
    )
    return article_out(user, article)


@router.post("/articles/{article_id}/attachments", response={201: KbAttachmentOut})
def upload_attachment(request: HttpRequest, article_id: int, file: UploadedFile = File(...)):  # noqa: B008
    """An image or file for the article; embed it with the returned Markdown."""
    user = _agent(request)
    article = selectors.get_article(user, article_id)
    attachment = services.add_attachment(
        user, article, file.name or "file", file.read(), file.content_type or ""
    )
    url = f"/kb/files/{attachment.pk}/{attachment.filename}"
    image = attachment.content_type.startswith("image/")
    markdown = f"![{attachment.filename}]({url})" if image else f"[{attachment.filename}]({url})"
    return 201, {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": url,
        "markdown": markdown,
    }


@router.get("/export", auth=None)
def export_articles(request: HttpRequest, ids: str, format: str = "html"):
    """Several articles (e.g. ids=3,5,8) as one HTML page or PDF with a table of contents."""
    user = caller(request)
    try:
        wanted = [int(part) for part in ids.split(",") if part.strip()][:200]
    except ValueError:
        raise ServiceError(
            "ids must be numbers separated by commas.", code="validation-error", status=422
        ) from None
    if not wanted or format not in ("html", "pdf"):
        raise ServiceError("Give ids, and format html or pdf.", code="validation-error", status=422)
    found = selectors.articles_for(user).in_bulk(wanted)
    articles = [found[i] for i in wanted if i in found]
    if not articles:
        raise ServiceError("No such articles.", code="not-found", status=404)
    return export.export_response(user, articles, format)


@router.post("/preview", response=KbPreviewOut)
def preview(request: HttpRequest, payload: KbPreviewIn):
    """Live preview while writing: Markdown rendered and sanitised exactly as on save."""
    _agent(request, "kb:read")
    return {"html": services.render_markdown(payload.body_md, payload.language)}


@router.get("/stale", response=list[KbArticleOut])
def stale_articles(request: HttpRequest):
    """Published articles of the caller whose review date has passed."""
    user = _agent(request, "kb:read")
    return [article_out(user, a) for a in selectors.stale_articles(user)]
