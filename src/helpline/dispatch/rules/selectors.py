"""Read queries for the rules pages: the ordered list with firing statistics, and dry runs.

Supervisors and administrators may read rules and dry-run them; everyone else is refused
here, so no view can forget it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max, QuerySet

from helpline.accounts.models import User
from helpline.core.problems import Forbidden, NotFound
from helpline.dispatch.rule_models import Rule
from helpline.dispatch.rules import services
from helpline.dispatch.rules.conditions import RuleRuntimeError, evaluate
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import Ticket


def check_can_read_rules(actor: User) -> None:
    """Supervisors and administrators read rules; agents are refused, others see nothing."""
    if not actor.is_authenticated or not actor.is_agent:
        raise NotFound("No such page.")
    if not actor.sees_all_tickets:
        raise Forbidden("Only supervisors and administrators see the rules.")


def rules_for(actor: User) -> QuerySet[Rule]:
    """Every rule in the order it runs, with when it last acted on a ticket."""
    check_can_read_rules(actor)
    return Rule.objects.annotate(last_fired_at=Max("firings__fired_at")).order_by(
        "trigger", "position", "id"
    )


def get_rule(actor: User, rule_id: int) -> Rule:
    check_can_read_rules(actor)
    rule = Rule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("No such rule.")
    return rule


def ticket_for_dry_run(actor: User, number: int) -> Ticket:
    """The ticket a rule reader wants to test rules against (with what facts_for reads)."""
    check_can_read_rules(actor)
    ticket = ticket_selectors.get_ticket_by_number(actor, number)
    return (
        Ticket.objects.select_related("requester", "organization", "team", "assignee", "category")
        .prefetch_related("tags")
        .get(pk=ticket.pk)
    )


def dry_run_for(actor: User, number: int, trigger: str | None = None) -> list[services.RuleVerdict]:
    """The API's dry run (every active rule, would it fire, each condition's verdict)."""
    return services.dry_run(ticket_for_dry_run(actor, number), trigger or None)


def dry_run_draft(
    actor: User, number: int, *, match: str, conditions: list[dict[str, Any]]
) -> services.RuleVerdict:
    """A rule being edited, validated conditions only, against one ticket: nothing is saved."""
    ticket = ticket_for_dry_run(actor, number)
    draft = Rule(name="", match=match, conditions=conditions)
    try:
        matched, results = evaluate(conditions, match, services.facts_for(ticket))
    except RuleRuntimeError as exc:
        return services.RuleVerdict(draft, False, [], str(exc))
    return services.RuleVerdict(draft, matched, results)
