"""{% macro_panel ticket %}: the agent's canned responses on the ticket page."""

from __future__ import annotations

from django import template

from helpline.dispatch.rule_models import Macro

register = template.Library()


@register.inclusion_tag("dispatch/_macro_panel.html", takes_context=True)
def macro_panel(context: template.Context, ticket) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_agent or ticket.status == "closed":
        return {"macros": []}
    return {
        "macros": list(Macro.objects.filter(is_active=True)),
        "ticket": ticket,
        "request": request,
    }
