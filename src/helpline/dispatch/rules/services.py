"""Rules: validation at save time (fields, regexes, loops), evaluation, dry runs, execution.

Rules act through tickets.services as the system user, so every change they make is in
the history with source "rule" and the rule's name as the reason. Changes made by rules
never trigger rules again, and each rule acts at most once per ticket state, so no rule
can re-trigger itself endlessly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import threading
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.models import Team, User
from helpline.core.problems import ServiceError
from helpline.dispatch.rule_models import Rule, RuleFiring, RuleTrigger
from helpline.dispatch.rules.actions import validate_action, written_fields
from helpline.dispatch.rules.conditions import (
    ConditionResult,
    RuleError,
    RuleRuntimeError,
    evaluate,
    validate_condition,
)
from helpline.tickets.models import Category, Message, Ticket

logger = logging.getLogger(__name__)

CACHE_KEY = "dispatch:active-rule-triggers"
MAX_RULES_PER_RUN = 500
_state = threading.local()


# --- validation --------------------------------------------------------------------


def validate_rule(
    *,
    name: str,
    trigger: str,
    match: str,
    conditions: Any,
    actions: Any,
    others: list[Rule] | None = None,
    rule_id: int | None = None,
) -> tuple[list[dict], list[dict]]:
    """Clean conditions and actions or raise RuleError naming the problem."""
    if not name or not name.strip():
        raise RuleError(_("A rule needs a name."))
    if trigger not in RuleTrigger.values:
        raise RuleError(_("Unknown trigger %(trigger)r.") % {"trigger": trigger})
    if match not in ("all", "any"):
        raise RuleError(_("match must be 'all' or 'any'."))
    if not isinstance(conditions, list) or not isinstance(actions, list) or not actions:
        raise RuleError(_("A rule needs a list of conditions and at least one action."))
    if trigger == RuleTrigger.TIMER and not conditions:
        raise RuleError(
            _("A timer rule needs conditions, or it would act on every ticket every few minutes.")
        )
    clean_conditions = [validate_condition(c) for c in conditions]
    clean_actions = [validate_action(a) for a in actions]
    _check_loops(rule_id, trigger, match, clean_conditions, clean_actions, others or [])
    return clean_conditions, clean_actions


def _satisfies(rule_conditions: list[dict], match: str, field: str, value: Any) -> bool:
    """Whether writing `value` to `field` could make these conditions hold."""
    relevant = [c for c in rule_conditions if c["field"] == field]
    if not relevant:
        return False
    facts = {field: [value] if field == "tags" and isinstance(value, str) else value}
    try:
        return any(evaluate([c], "all", facts)[0] for c in relevant)
    except (RuleRuntimeError, TypeError, ValueError):
        return True


def _check_loops(rule_id, trigger, match, conditions, actions, others: list[Rule]) -> None:
    """Refuse a rule that, with the other update rules, would flip a field back and forth."""
    if trigger != RuleTrigger.UPDATED:
        return
    mine = {
        "id": rule_id or 0,
        "conditions": conditions,
        "match": match,
        "writes": written_fields(actions),
    }
    graph = [mine] + [
        {
            "id": r.pk,
            "conditions": r.conditions,
            "match": r.match,
            "writes": written_fields(r.actions),
        }
        for r in others
        if r.trigger == RuleTrigger.UPDATED and r.is_active and r.pk != rule_id
    ]

    def triggers(a: dict, b: dict) -> bool:
        return any(_satisfies(b["conditions"], b["match"], f, v) for f, v in a["writes"].items())

    for other in graph:
        if other is mine:
            continue
        if triggers(mine, other) and triggers(other, mine):
            conflicting = set(mine["writes"]) & set(other["writes"])
            if conflicting:
                raise RuleError(
                    _(
                        "This rule and rule #%(other)s would trigger each other endlessly "
                        "(both set %(fields)s)."
                    )
                    % {"other": other["id"], "fields": ", ".join(sorted(conflicting))}
                )


@transaction.atomic
def save_rule(actor: User, *, rule: Rule | None = None, **fields: Any) -> Rule:
    """Create or change a rule after validating it; admins only."""
    if not actor.is_admin:
        raise ServiceError("Only administrators manage rules.", code="forbidden", status=403)
    rule = rule or Rule()
    values = {
        "name": fields.get("name", rule.name),
        "trigger": fields.get("trigger", rule.trigger),
        "match": fields.get("match", rule.match),
        "conditions": fields.get("conditions", rule.conditions),
        "actions": fields.get("actions", rule.actions),
    }
    try:
        conditions, actions = validate_rule(
            **values, others=list(Rule.objects.all()), rule_id=rule.pk
        )
    except RuleError as exc:
        raise ServiceError(str(exc), code="invalid-rule", status=422) from exc
    rule.name, rule.trigger, rule.match = (
        values["name"].strip()[:200],
        values["trigger"],
        values["match"],
    )
    rule.conditions, rule.actions = conditions, actions
    for name in ("position", "stop_processing", "is_active"):
        if name in fields:
            setattr(rule, name, fields[name])
    if rule.is_active:
        rule.last_error, rule.disabled_at = "", None
    rule.updated_at = timezone.now()
    rule.save()
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
    return rule


# --- facts -------------------------------------------------------------------------


def _business_hours(now: dt.datetime) -> bool:
    local = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    start, end = settings.RULES_BUSINESS_HOURS
    return local.weekday() < 5 and start <= local.hour < end


def facts_for(ticket: Ticket, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything a condition may test, read once per evaluation."""
    now = now or timezone.now()
    first = (
        Message.objects.filter(ticket=ticket)
        .order_by("created_at", "id")
        .values_list("body_text", flat=True)
        .first()
    )
    facts: dict[str, Any] = {
        "subject": ticket.subject,
        "body": first or "",
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "channel": ticket.channel,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "category": ticket.category.slug if ticket.category_id else "",
        "team": ticket.team.slug if ticket.team_id else "",
        "assignee": ticket.assignee.email if ticket.assignee_id else "",
        "assigned": ticket.assignee_id is not None,
        "tier": ticket.tier,
        "tags": [t.name for t in ticket.tags.all()],
        "requester.email": ticket.requester.email,
        "requester.language": ticket.requester.language,
        "organization": ticket.organization.name if ticket.organization_id else "",
        "organization.vip": bool(ticket.organization_id and ticket.organization.is_vip),
        "hours_since_created": (now - ticket.created_at).total_seconds() / 3600,
        "hours_since_updated": (now - ticket.updated_at).total_seconds() / 3600,
        "message_count": ticket.message_count,
        "business_hours": _business_hours(now),
    }
    for key, value in (ticket.custom_fields or {}).items():
        facts[f"custom_fields.{key}"] = value
    return facts


def _load(ticket_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related("requester", "organization", "team", "assignee", "category")
        .prefetch_related("tags")
        .filter(pk=ticket_id)
        .first()
    )


# --- dry run -----------------------------------------------------------------------


@dataclass
class RuleVerdict:
    rule: Rule
    matched: bool
    conditions: list[ConditionResult]
    error: str = ""


def dry_run(ticket: Ticket, trigger: str | None = None) -> list[RuleVerdict]:
    """Which active rules would fire on this ticket now, and why (nothing is changed)."""
    facts = facts_for(ticket)
    rules = Rule.objects.filter(is_active=True)
    if trigger:
        rules = rules.filter(trigger=trigger)
    verdicts = []
    for rule in rules:
        try:
            matched, results = evaluate(rule.conditions, rule.match, facts)
            verdicts.append(RuleVerdict(rule, matched, results))
        except RuleRuntimeError as exc:
            verdicts.append(RuleVerdict(rule, False, [], str(exc)))
    return verdicts


# --- running -----------------------------------------------------------------------


@contextlib.contextmanager
def _acting() -> Iterator[None]:
    previous = getattr(_state, "acting", False)
    _state.acting = True
    try:
        yield
    finally:
        _state.acting = previous


def rules_are_acting() -> bool:
    return getattr(_state, "acting", False)


def active_triggers() -> set[str]:
    triggers = cache.get(CACHE_KEY)
    if triggers is None:
        triggers = set(
            Rule.objects.filter(is_active=True).values_list("trigger", flat=True).distinct()
        )
        cache.set(CACHE_KEY, triggers, 10)
    return triggers


def _state_key(ticket: Ticket, trigger: str) -> str:
    if trigger == RuleTrigger.CREATED:
        return "created"
    # Once per ticket version: a rule acts again only after something else changed the ticket.
    raw = f"{ticket.updated_at.isoformat()}:{ticket.status}:{ticket.message_count}"
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def _watches(rule: Rule, changed_fields: list[str] | None) -> bool:
    """Update rules react only to changes of what their conditions look at."""
    if changed_fields is None:
        return True
    watched = {
        c["field"].split(".")[0] if c["field"].startswith("custom_fields.") else c["field"]
        for c in rule.conditions
    }
    aliases = {
        "custom_fields": "custom_fields",
        "assigned": "assignee",
        "organization.vip": "organization",
    }
    watched = {aliases.get(name, name) for name in watched}
    return not rule.conditions or bool(watched & set(changed_fields))


def run_rules(
    ticket_id: int,
    trigger: str,
    now: dt.datetime | None = None,
    changed_fields: list[str] | None = None,
) -> list[str]:
    """Evaluate the trigger's active rules in order on one ticket; returns names of rules that fired."""
    ticket = _load(ticket_id)
    if ticket is None:
        return []
    fired: list[str] = []
    for rule in Rule.objects.filter(is_active=True, trigger=trigger).order_by("position", "id")[
        :MAX_RULES_PER_RUN
    ]:
        if not _watches(rule, changed_fields):
            continue
        try:
            matched, _ = evaluate(rule.conditions, rule.match, facts_for(ticket, now))
            if not matched or not _claim(rule, ticket, trigger):
                continue
            with _acting():
                _execute(rule, ticket)
            Rule.objects.filter(pk=rule.pk).update(fired_count=rule.fired_count + 1)
            fired.append(rule.name)
            ticket = _load(ticket_id) or ticket
        except Exception as exc:
            _disable(rule, exc)
            continue
        if rule.stop_processing:
            break
    return fired


def _claim(rule: Rule, ticket: Ticket, trigger: str) -> bool:
    try:
        with transaction.atomic():
            RuleFiring.objects.create(
                rule=rule, ticket=ticket, state_key=_state_key(ticket, trigger)
            )
        return True
    except IntegrityError:
        return False


def _disable(rule: Rule, exc: Exception) -> None:
    """A rule that fails is switched off and reported; the ticket keeps its default routing."""
    logger.warning("rule %s (%s) failed and was disabled: %s", rule.pk, rule.name, exc)
    Rule.objects.filter(pk=rule.pk).update(
        is_active=False,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        disabled_at=timezone.now(),
    )
    cache.delete(CACHE_KEY)


def _resolve(field: str, value: Any) -> Any:
    if field == "team":
        return Team.objects.filter(slug=value).first() if value else None
    if field == "category":
        return Category.objects.filter(slug=value).first() if value else None
    if field == "assignee":
        return User.objects.filter(email__iexact=value).first() if value else None
    return value


def _execute(rule: Rule, ticket: Ticket) -> None:
    from helpline.accounts.services import get_system_user
    from helpline.tickets import services

    system = get_system_user()
    reason = f"rule: {rule.name}"
    changes: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    tags = {t.name for t in ticket.tags.all()}
    for action in rule.actions:
        kind = action["action"]
        if kind == "set_field":
            field = action["field"]
            if field.startswith("custom_fields."):
                custom[field.split(".", 1)[1]] = action["value"]
            else:
                changes[field] = _resolve(field, action["value"])
                if field == "priority":
                    changes["priority_reason"] = reason
        elif kind == "add_tags":
            tags |= {t.strip().lower() for t in action["tags"]}
            changes["tags"] = sorted(tags)
        elif kind == "remove_tags":
            tags -= {t.strip().lower() for t in action["tags"]}
            changes["tags"] = sorted(tags)
    if custom:
        changes["custom_fields"] = custom
    if changes:
        services.update_ticket(system, ticket, changes, reason=reason, source="rule")
    for action in rule.actions:
        _side_effect(action, ticket, system, rule)


def _side_effect(action: dict, ticket: Ticket, system: User, rule: Rule) -> None:
    from helpline.notifications.services import queue_plain_email
    from helpline.notifications.webhooks import queue_webhook
    from helpline.tickets import services

    kind = action["action"]
    text = (
        action.get("text", "")
        .replace("{number}", str(ticket.number))
        .replace("{subject}", ticket.subject)
    )
    if kind == "add_note":
        services.add_message(system, ticket, body=text, kind="note", channel="agent")
    elif kind == "send_reply":
        services.add_message(
            system,
            ticket,
            body=text,
            kind="reply",
            channel="agent",
            status=action.get("status") or None,
        )
    elif kind == "notify":
        for address in _recipients(action["to"], ticket):
            queue_plain_email(
                to=address,
                subject=action.get("subject") or rule.name,
                body=text,
                ticket=ticket,
                dedupe_key=f"rule:{rule.pk}:{ticket.pk}:{address}:{_state_key(ticket, 'x')}",
            )
    elif kind == "call_webhook":
        payload = {
            "rule": rule.name,
            "ticket": {
                "id": ticket.pk,
                "number": ticket.number,
                "subject": ticket.subject,
                "status": ticket.status,
                "priority": ticket.priority,
            },
        }
        queue_webhook(
            action["url"],
            payload,
            dedupe_key=f"rule:{rule.pk}:{ticket.pk}:{_state_key(ticket, 'x')}",
        )


def _recipients(target: str, ticket: Ticket) -> list[str]:
    if target == "assignee":
        return [ticket.assignee.email] if ticket.assignee_id else []
    if target == "requester":
        return [ticket.requester.email]
    if target == "team":
        return list(ticket.team.members.values_list("email", flat=True)) if ticket.team_id else []
    return [target]


def run_timer_rules(now: dt.datetime | None = None, limit: int = 2000) -> int:
    """The periodic job: timer rules over active tickets. Returns how many times rules fired."""
    if RuleTrigger.TIMER not in active_triggers():
        return 0
    fired = 0
    for ticket_id in (
        Ticket.objects.active().order_by("updated_at").values_list("pk", flat=True)[:limit]
    ):
        fired += len(run_rules(ticket_id, RuleTrigger.TIMER, now))
    return fired
