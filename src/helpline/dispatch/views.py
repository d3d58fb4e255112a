"""The supervisor's page: the rota now, load per agent, unassigned and at-risk tickets."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

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
