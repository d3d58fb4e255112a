"""The supervisor's page: the rota now, load per agent, unassigned and at-risk tickets."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from helpline.accounts.models import HandoverNote
from helpline.dispatch import routing


def supervisor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.sees_all_tickets:
        raise Http404
    notes = HandoverNote.objects.select_related("team", "author")[:10]
    return render(
        request, "dispatch/supervisor.html", {"teams": routing.overview(), "notes": notes}
    )


@require_POST
def apply_macro(request: HttpRequest, number: int) -> HttpResponse:
    """The ticket page's "Apply macro" button."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from helpline.core.problems import ServiceError
    from helpline.dispatch.macros import apply_macro as apply
    from helpline.dispatch.rule_models import Macro
    from helpline.tickets import selectors

    if not request.user.is_authenticated or not request.user.is_agent:
        raise Http404
    try:
        ticket = selectors.get_ticket_by_number(request.user, number)
    except ServiceError as exc:
        raise Http404 from exc
    macro = Macro.objects.filter(pk=request.POST.get("macro") or 0, is_active=True).first()
    if macro is None:
        raise Http404
    try:
        apply(request.user, ticket, macro)
        messages.success(request, _("Macro applied: %(name)s.") % {"name": macro.name})
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("tickets:detail", number)
