"""`{% load triage %}{% triage_panel ticket %}`: auto-triage's suggestions and their words.

For the ticket page: shows nothing to requesters or when triage has said nothing.
"""

from __future__ import annotations

from django import template

from helpline.core.problems import NotFound
from helpline.dispatch.selectors import triage_for

register = template.Library()


@register.inclusion_tag("dispatch/_triage_panel.html", takes_context=True)
def triage_panel(context: template.Context, ticket) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_agent:
        return {"predictions": []}
    try:
        view = triage_for(user, ticket.pk)
    except NotFound:
        return {"predictions": []}
    return {"predictions": view.predictions, "model_version": view.model_version}
