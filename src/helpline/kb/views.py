"""Public knowledge-base pages: browse by category, search, read, rate, export.

Stable addresses: /kb/<lang>/<slug>/. Anonymous visitors and requesters see published
public articles; agents also see internal ones (the selectors decide).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.core.problems import NotFound, ServiceError
from helpline.kb import export, selectors, services
from helpline.kb.choices import Language
from helpline.kb.models import KbCategory


def _language(lang: str) -> str:
    if lang not in Language.values:
        raise Http404(_("No such language."))
    return lang


def home(request: HttpRequest) -> HttpResponse:
    lang = (get_language() or "en")[:2]
    return redirect("kb:index", lang=lang if lang in Language.values else "en")


def index(request: HttpRequest, lang: str) -> HttpResponse:
    """Categories with their articles, and search when there is a query."""
    lang = _language(lang)
    query = request.GET.get("q", "").strip()[:300]
    context = {"lang": lang, "query": query, "other_lang": "en" if lang == "ru" else "ru"}
    if query:
        context["results"] = selectors.search_article_items(request.user, query, language=lang)
    else:
        context["categories"] = selectors.categories_with_articles(request.user, lang)
    return render(request, "kb/index.html", context)


def category(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    lang = _language(lang)
    shelf = KbCategory.objects.filter(slug=slug).first()
    if shelf is None:
        raise Http404(_("No such category."))
    articles = (
        selectors.articles_for(request.user)
        .filter(category=shelf, language=lang, status="published")
        .order_by("title")
    )
    context = {"lang": lang, "category": shelf, "name": shelf.localized_name(lang)}
    return render(request, "kb/category.html", {**context, "articles": articles})


def _article_or_404(request: HttpRequest, lang: str, slug: str):
    try:
        return selectors.get_article_by_slug(request.user, _language(lang), slug)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def article(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    item = _article_or_404(request, lang, slug)
    services.record_view(item)
    guide = item.guide if item.guide_id else None
    toc_owner = guide or item
    context = {
        "lang": item.language,
        "article": item,
        "translations": selectors.translations_of(request.user, item),
        "guide": guide,
        "chapters": selectors.chapters_of(request.user, toc_owner),
        "is_agent": selectors.is_agent(request.user),
        "thanks": request.GET.get("feedback") == "thanks",
    }
    return render(request, "kb/article.html", context)


@require_POST
def feedback(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    item = _article_or_404(request, lang, slug)
    helpful = request.POST.get("helpful") == "yes"
    services.leave_feedback(
        request.user, item, helpful=helpful, comment=request.POST.get("comment", "")
    )
    return redirect(item.get_absolute_url() + "?feedback=thanks")


def attachment(request: HttpRequest, attachment_id: int, filename: str) -> HttpResponse:
    """A file of an article, for whoever may read the article (else 404)."""
    from django.http import FileResponse

    from helpline.kb.models import KbAttachment

    item = KbAttachment.objects.select_related("article").filter(pk=attachment_id).first()
    visible = item and selectors.articles_for(request.user).filter(pk=item.article_id).exists()
    if not visible:
        raise Http404(_("No such file."))
    inline = item.content_type.startswith("image/") and item.content_type != "image/svg+xml"
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not inline,
        filename=item.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_article(request: HttpRequest, lang: str, slug: str, fmt: str) -> HttpResponse:
    if fmt not in ("html", "pdf"):
        raise Http404(_("No such export format."))
    item = _article_or_404(request, lang, slug)
    try:
        return export.export_response(request.user, [item], fmt)
    except ServiceError as exc:
        return HttpResponse(exc.detail, status=exc.status, content_type="text/plain; charset=utf-8")
