"""The requester portal: my tickets, a ticket's public conversation, new requests, ratings."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.core.problems import NotFound, ServiceError
from helpline.intake.portal.forms import PortalReplyForm, PortalTicketForm, RatingForm
from helpline.tickets import selectors, services
from helpline.tickets.choices import ACTIVE_STATUSES, Channel, Status
from helpline.tickets.forms import markdown_to_html
from helpline.tickets.models import Category, SatisfactionRating, Ticket
from helpline.tickets.views import error_text, incoming_files


def requester_required(view: Callable) -> Callable:
    """Signed-in requesters only; agents work in the workspace instead."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={quote(request.get_full_path())}")
        if request.user.is_agent:
            if "number" in kwargs:
                return redirect("tickets:detail", number=kwargs["number"])
            return redirect("tickets:workspace")
        return view(request, *args, **kwargs)

    return wrapper


def _ticket_or_404(user, number: int) -> Ticket:
    try:
        return selectors.get_ticket_by_number(user, number)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@requester_required
def home(request: HttpRequest) -> HttpResponse:
    tickets = (
        Ticket.objects.visible_to(request.user)
        .select_related("requester")
        .order_by("-updated_at", "-id")
    )
    mine = [t for t in tickets[:200] if t.requester_id == request.user.pk]
    shared = [t for t in tickets[:200] if t.requester_id != request.user.pk]
    return render(
        request,
        "portal/home.html",
        {
            "open_tickets": [t for t in mine if t.status in ACTIVE_STATUSES],
            "done_tickets": [t for t in mine if t.status not in ACTIVE_STATUSES],
            "shared_tickets": shared,
        },
    )


def _category(value: str | None) -> Category | None:
    if value and str(value).isdigit():
        return Category.objects.filter(pk=int(value), is_active=True).first()
    return None


@requester_required
def new_request(request: HttpRequest) -> HttpResponse:
    category = _category(request.POST.get("category") or request.GET.get("category"))
    form = PortalTicketForm(request.POST or None, category=category)
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        try:
            ticket = services.create_ticket(
                request.user,
                services.NewTicket(
                    subject=form.cleaned_data["subject"],
                    body=body,
                    body_html=markdown_to_html(body),
                    category=form.cleaned_data["category"],
                    custom_fields=form.custom_values(),
                    channel=Channel.PORTAL,
                    attachments=incoming_files(request),
                    source="portal",
                ),
            )
        except ServiceError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                _("Thank you. Your request #%(number)s is registered.") % {"number": ticket.number},
            )
            return redirect("portal:ticket", number=ticket.number)
    return render(request, "portal/new.html", {"form": form})


@requester_required
def custom_fields(request: HttpRequest) -> HttpResponse:
    form = PortalTicketForm(category=_category(request.GET.get("category")))
    return render(request, "portal/_custom_fields.html", {"form": form})


@requester_required
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request.user, number)
    return render(request, "portal/ticket.html", _detail_context(request, ticket))


def _detail_context(request: HttpRequest, ticket: Ticket, reply_form=None) -> dict:
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    return {
        "ticket": ticket,
        "conversation": selectors.messages_for(request.user, ticket),
        "reply_form": reply_form or PortalReplyForm(),
        "rating": rating,
        "rating_form": RatingForm(
            initial={"score": rating.score, "comment": rating.comment} if rating else None
        ),
        "is_mine": ticket.requester_id == request.user.pk,
        "can_rate": ticket.requester_id == request.user.pk
        and ticket.status in (Status.SOLVED, Status.CLOSED),
    }


@requester_required
@require_POST
def reply(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request.user, number)
    form = PortalReplyForm(request.POST)
    if form.is_valid():
        body = form.cleaned_data["body"]
        try:
            services.add_message(
                request.user,
                ticket,
                body=body,
                body_html=markdown_to_html(body) if body.strip() else "",
                channel=Channel.PORTAL,
                attachments=incoming_files(request),
            )
        except ServiceError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Your reply is sent."))
            return redirect("portal:ticket", number=ticket.number)
    return render(request, "portal/ticket.html", _detail_context(request, ticket, form), status=400)


@requester_required
@require_POST
def change_status(request: HttpRequest, number: int, target: str) -> HttpResponse:
    ticket = _ticket_or_404(request.user, number)
    status = {"solve": Status.SOLVED, "reopen": Status.OPEN}.get(target)
    if status is None:
        raise Http404("No such action.")
    try:
        services.change_status(request.user, ticket, status, source="portal")
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        if status == Status.SOLVED:
            messages.success(request, _("Marked as solved. Thank you! How did we do?"))
        else:
            messages.success(request, _("The request is open again."))
    return redirect("portal:ticket", number=ticket.number)


@requester_required
@require_POST
def rate(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request.user, number)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from 1 to 5 stars."))
        return redirect("portal:ticket", number=ticket.number)
    try:
        services.rate_ticket(
            request.user, ticket, form.cleaned_data["score"], form.cleaned_data["comment"]
        )
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("portal:ticket", number=ticket.number)
