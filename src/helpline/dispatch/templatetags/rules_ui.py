"""Rules on pages: `{% rules_panel ticket %}` (dry-run panel) and value/operator filters."""

from __future__ import annotations

from typing import Any

from django import template

from helpline.dispatch import rules_forms

register = template.Library()


@register.inclusion_tag("dispatch/_rules_panel.html", takes_context=True)
def rules_panel(context: template.Context, ticket) -> dict:
    """The ticket page's "Rules: dry run" panel, for those who may read rules."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user and user.is_authenticated and user.is_agent and user.sees_all_tickets)
    return {"show": show, "ticket": ticket}


@register.filter
def rule_value(value: Any) -> str:
    """A condition's expected or actual value as typed in the builder (lists comma-separated)."""
    return rules_forms.display_value(value)


@register.filter
def rule_op(op: str) -> str:
    return rules_forms.op_label(op)
