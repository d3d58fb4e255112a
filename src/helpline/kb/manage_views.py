"""The agents' knowledge-base workspace: list, editor with live preview, versions, review.

Stable addresses under /kb/manage/ (the public pages live at /kb/<lang>/...). Views are
thin: the selectors in manage_selectors and the services check who may do what.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from helpline.core.problems import Forbidden, NotFound, ServiceError
from helpline.kb import manage_selectors as sel
from helpline.kb import services
from helpline.kb.choices import TRANSITIONS, ArticleStatus, ArticleType, Audience, Language
from helpline.kb.manage_forms import ArticleForm, ReviewForm, UploadForm
from helpline.kb.models import Article
from helpline.tickets.attachments import check_size
from helpline.tickets.views import agent_required

PAGE_SIZE = 30
MAX_PREVIEW = 200_000

ERRORS = {
    "slug-taken": gettext_lazy("An article with this address already exists in this language."),
    "invalid-transition": gettext_lazy(
        "The article cannot move to that status from its current one."
    ),
    "forbidden": gettext_lazy(
        "Only a reviewer of this article, a supervisor or an administrator may publish it."
    ),
    "attachment-too-large": gettext_lazy("The file is larger than the upload limit."),
    "attachment-type": gettext_lazy(
        "This type of file cannot be attached. Use PNG, JPEG, GIF or WebP images, PDF, text, CSV, ZIP or office documents."
    ),
    "not-found": gettext_lazy("Not found."),
    "validation-error": gettext_lazy("The article is not valid."),
}

# The button label for each move of the review workflow.
MOVES = {
    ArticleStatus.IN_REVIEW: gettext_lazy("Send to review"),
    ArticleStatus.PUBLISHED: gettext_lazy("Publish"),
    ArticleStatus.ARCHIVED: gettext_lazy("Archive"),
    ArticleStatus.DRAFT: gettext_lazy("Back to draft"),
}


def error_text(exc: ServiceError) -> str:
    return str(ERRORS.get(exc.code) or _("The change was refused (%(code)s).") % {"code": exc.code})


def kb_agent(view: Callable) -> Callable:
    """Agents only (sign-in for anonymous, 403 for requesters); service refusals as 403/404."""

    @agent_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except NotFound as exc:
            raise Http404(exc.detail) from exc

    return wrapper


def _article(request: HttpRequest, article_id: int) -> Article:
    return sel.get_managed_article(request.user, article_id)


# --- the list ----------------------------------------------------------------------


@kb_agent
def article_list(request: HttpRequest) -> HttpResponse:
    filters = sel.ArticleFilters.from_query(request.GET)
    page = Paginator(sel.manage_articles(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kept = {k: v for k, v in request.GET.items() if k in sel.FILTER_KEYS and v}
    context = {
        "page": page,
        "filters": filters,
        "query_string": urlencode(kept),
        "statuses": ArticleStatus.choices,
        "types": ArticleType.choices,
        "languages": Language.choices,
        "audiences": Audience.choices,
        "owners": sel.owners(),
        "stale_count": sel.stale_count(request.user),
        "current": _current_shelf(filters, kept),
        "now": timezone.now(),
    }
    return render(request, "kb/manage/list.html", context)


def _current_shelf(filters: sel.ArticleFilters, kept: dict) -> str:
    """Which sidebar entry the list shows, if it is exactly one of them."""
    shelves = {
        (): "all",
        (("owner", "me"),): "mine",
        (("status", "draft"),): "draft",
        (("status", "in_review"),): "in_review",
        (("stale", "1"),): "stale",
    }
    return shelves.get(tuple(sorted(kept.items())), "")


# --- the editor --------------------------------------------------------------------


def _editor(request: HttpRequest, form: ArticleForm, article: Article | None) -> HttpResponse:
    context = {"form": form, "article": article, "upload_form": UploadForm()}
    if article is not None:
        context["attachments"] = list(article.attachments.all())
    return render(request, "kb/manage/edit.html", context)


def _save(request: HttpRequest, form: ArticleForm, article: Article | None) -> Article | None:
    """Create or update through the services; a refusal becomes a form error."""
    try:
        if article is None:
            return services.create_article(
                request.user, form.article_data(), message=form.cleaned_data["message"]
            )
        before = article.versions.count()
        data = form.article_data()
        services.update_article(request.user, article, data, message=form.cleaned_data["message"])
        if data.guide is None and article.guide_id is not None:  # taken out of its guide
            services.set_guide(request.user, article, None)
        if article.versions.count() == before:
            messages.info(request, _("Saved. The text did not change, so there is no new version."))
        return article
    except ServiceError as exc:
        if exc.status == 403:
            raise
        form.add_error(None, error_text(exc))
        for item in exc.errors:
            form.add_error(None, item.get("message", ""))
        return None


@kb_agent
def create(request: HttpRequest) -> HttpResponse:
    sel.require_agent(request.user)
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid() and (article := _save(request, form, None)):
            messages.success(request, _("Article created as a draft."))
            return redirect("kb-manage:detail", article_id=article.pk)
    else:
        language = request.GET.get("language", "")
        translation_of = request.GET.get("translation_of", "")
        form = ArticleForm(
            initial={
                "language": language if language in Language.values else _default_language(),
                "type": ArticleType.HOWTO,
                "audience": Audience.PUBLIC,
                "translation_of": int(translation_of) if translation_of.isdigit() else None,
                "message": _("First version"),
            }
        )
    return _editor(request, form, None)


def _default_language() -> str:
    from django.utils.translation import get_language

    lang = (get_language() or "en")[:2]
    return lang if lang in Language.values else Language.EN


@kb_agent
def edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(request, article_id)
    if request.method == "POST":
        form = ArticleForm(request.POST, article=article, initial=ArticleForm.initial_for(article))
        if form.is_valid() and _save(request, form, article):
            messages.success(request, _("Article saved."))
            return redirect("kb-manage:detail", article_id=article.pk)
    else:
        form = ArticleForm(article=article, initial=ArticleForm.initial_for(article))
    return _editor(request, form, article)


@kb_agent
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview: the same sanitising renderer as saving and the public pages."""
    sel.require_agent(request.user)
    language = request.POST.get("language", "")
    html = services.render_markdown(
        request.POST.get("body_md", "")[:MAX_PREVIEW],
        language if language in Language.values else Language.EN,
    )
    return render(request, "kb/manage/_preview.html", {"html": html})


@kb_agent
def link_search(request: HttpRequest) -> HttpResponse:
    """Articles to link to from the editor: [[address|title]] in the same language."""
    query = request.GET.get("link_q", "").strip()[:200]
    language = request.GET.get("language", "")
    articles = []
    if query:
        filters = sel.ArticleFilters(
            q=query, language=language if language in Language.values else ""
        )
        articles = list(sel.manage_articles(request.user, filters)[:8])
    return render(request, "kb/manage/_link_results.html", {"articles": articles, "query": query})


@kb_agent
@require_POST
def from_ticket(request: HttpRequest, number: int) -> HttpResponse:
    """'Create article from ticket': a draft from the problem and its resolution, then edit it."""
    from helpline.tickets.selectors import get_ticket_by_number

    ticket = get_ticket_by_number(request.user, number)
    try:
        article = services.draft_from_ticket(request.user, ticket.pk)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        messages.error(request, error_text(exc))
        return redirect("tickets:detail", number=number)
    messages.success(
        request, _("Draft created from ticket #%(n)s. Check it, then save.") % {"n": number}
    )
    return redirect("kb-manage:edit", article_id=article.pk)


# --- one article: overview, workflow, review, uploads, tickets ----------------------


@kb_agent
def detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(request, article_id)
    user = request.user
    may_publish = sel.may_publish(user, article)
    moves = [
        (status, MOVES[status])
        for status in ArticleStatus.values
        if status in TRANSITIONS.get(article.status, set())
        and (status != ArticleStatus.PUBLISHED or may_publish)
    ]
    review_form = ReviewForm(
        initial={
            "owner": article.owner_id,
            "reviewers": list(article.reviewers.values_list("pk", flat=True)),
            "review_due": article.review_due_at.date() if article.review_due_at else None,
        }
    )
    context = {
        "article": article,
        "moves": moves,
        "may_publish": may_publish,
        "reviewers": list(article.reviewers.all()),
        "review_form": review_form,
        "versions": sel.versions_of(user, article, limit=5),
        "version_count": article.versions.count(),
        "feedback": sel.recent_feedback(user, article),
        "tickets": sel.helped_tickets(user, article),
        "translations": sel.translations(user, article),
        "chapters": list(article.chapters.order_by("position", "id")),
        "attachments": list(article.attachments.all()),
        "deflections": article.deflections.count(),
    }
    return render(request, "kb/manage/detail.html", context)


@kb_agent
@require_POST
def change_status(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(request, article_id)
    status = request.POST.get("status", "")
    try:
        services.change_status(request.user, article, status)
        messages.success(
            request, _("Status is now: %(status)s.") % {"status": article.get_status_display()}
        )
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    return redirect("kb-manage:detail", article_id=article.pk)


@kb_agent
@require_POST
def review(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(request, article_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.set_review(
            request.user,
            article,
            reviewers=form.cleaned_data["reviewers"],
            owner=form.cleaned_data["owner"],
            due_at=form.due_at(),
        )
        messages.success(request, _("Review settings saved."))
    else:
        messages.error(request, _("Reviewers and the owner must be agents."))
    return redirect("kb-manage:detail", article_id=article.pk)


@kb_agent
@require_POST
def upload(request: HttpRequest, article_id: int) -> HttpResponse:
    """An image or file for the article; htmx gets the attachment list back."""
    article = _article(request, article_id)
    form = UploadForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        incoming = form.cleaned_data["file"]
        try:
            check_size(incoming.name, incoming.size)  # before reading it into memory
            services.add_attachment(request.user, article, incoming.name, incoming.read())
        except ServiceError as exc:
            error = error_text(exc)
    else:
        error = _("Choose a file to upload.")
    if request.htmx:
        # 200 even for a refusal: htmx swaps only successful responses, and the refusal is
        # shown in the swapped panel.
        context = {"article": article, "attachments": list(article.attachments.all())}
        return render(request, "kb/manage/_attachments.html", {**context, "upload_error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("File uploaded."))
    return redirect("kb-manage:edit", article_id=article.pk)


@kb_agent
@require_POST
def link_ticket(request: HttpRequest, article_id: int) -> HttpResponse:
    """Record that this article helped solve a ticket (by its number)."""
    from helpline.tickets.selectors import get_ticket_by_number

    article = _article(request, article_id)
    number = request.POST.get("number", "").strip().lstrip("#")
    try:
        if not number.isdigit():
            raise NotFound(_("No such ticket."))
        ticket = get_ticket_by_number(request.user, int(number))
        services.link_ticket(request.user, article, ticket.pk)
        messages.success(request, _("Linked to ticket #%(n)s.") % {"n": ticket.number})
    except NotFound:
        messages.error(request, _("There is no ticket with this number that you can see."))
    return redirect("kb-manage:detail", article_id=article.pk)


# --- versions ------------------------------------------------------------------------


def _version_number(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


@kb_agent
def versions(request: HttpRequest, article_id: int) -> HttpResponse:
    """Every version with author, time and message; the diff of any two."""
    article = _article(request, article_id)
    all_versions = sel.versions_of(request.user, article)
    latest = all_versions[0].number if all_versions else 0
    new = _version_number(request.GET.get("new"), latest)
    old = _version_number(request.GET.get("old"), max(new - 1, 1))
    diff = None
    if request.GET.get("old") or len(all_versions) > 1:
        try:
            diff = sel.diff_lines(request.user, article, old, new)
        except NotFound:
            messages.error(request, _("No such version."))
    context = {
        "article": article,
        "versions": all_versions,
        "old": old,
        "new": new,
        "diff": diff,
    }
    return render(request, "kb/manage/versions.html", context)


@kb_agent
@require_POST
def restore(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    article = _article(request, article_id)
    try:
        services.restore_version(request.user, article, number)
        messages.success(request, _("Version %(n)s restored as a new version.") % {"n": number})
    except NotFound:
        messages.error(request, _("No such version."))
    return redirect("kb-manage:versions", article_id=article.pk)
