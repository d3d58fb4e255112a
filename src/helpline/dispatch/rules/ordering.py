"""Moving a rule up or down among the rules of its trigger; administrators only."""

from __future__ import annotations

from django.db import transaction

from helpline.accounts.models import User
from helpline.core.problems import Forbidden, NotFound
from helpline.dispatch.rule_models import Rule

POSITION_STEP = 10


@transaction.atomic
def move_rule(actor: User, rule_id: int, direction: str) -> Rule:
    """Swap the rule with its neighbour in run order; positions become 10, 20, 30... per trigger."""
    if not actor.is_admin:
        raise Forbidden("Only administrators manage rules.")
    rule = Rule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("No such rule.")
    siblings = list(
        Rule.objects.select_for_update().filter(trigger=rule.trigger).order_by("position", "id")
    )
    index = next(i for i, other in enumerate(siblings) if other.pk == rule.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(siblings):
        return rule
    siblings[index], siblings[target] = siblings[target], siblings[index]
    changed = []
    for number, other in enumerate(siblings, start=1):
        if other.position != number * POSITION_STEP:
            other.position = number * POSITION_STEP
            changed.append(other)
    Rule.objects.bulk_update(changed, ["position"])
    return next(other for other in siblings if other.pk == rule.pk)
