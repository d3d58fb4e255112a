"""{% kb_ticket_panel ticket %}: the knowledge base on the agent's ticket page."""

from __future__ import annotations

from django import template

from helpline.kb.models import ArticleTicketLink

register = template.Library()


@register.inclusion_tag("kb/manage/_ticket_panel.html", takes_context=True)
def kb_ticket_panel(context: template.Context, ticket) -> dict:
    """Articles linked to the ticket, and the button that drafts one from it (agents only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_agent:
        return {"show": False}
    links = ArticleTicketLink.objects.filter(ticket=ticket).select_related("article")
    return {
        "show": True,
        "ticket": ticket,
        "links": list(links.order_by("-created_at")[:10]),
        "csrf_token": context.get("csrf_token"),
    }
