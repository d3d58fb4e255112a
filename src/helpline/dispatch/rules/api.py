"""Rules over REST: administrators manage them; agents may dry-run them on a ticket."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from helpline.api.auth import require_scope
from helpline.core.problems import Forbidden, NotFound
from helpline.dispatch.rule_models import Rule
from helpline.dispatch.rules import services
from helpline.tickets import selectors

router = Router(tags=["rules"])


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    trigger: Literal["created", "updated", "timer"]
    match: Literal["all", "any"] = "all"
    conditions: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    actions: list[dict[str, Any]] = Field(min_length=1, max_length=20)
    position: int = Field(default=100, ge=0, le=100000)
    stop_processing: bool = False
    is_active: bool = True


class RulePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    trigger: Literal["created", "updated", "timer"] | None = None
    match: Literal["all", "any"] | None = None
    conditions: list[dict[str, Any]] | None = Field(default=None, max_length=50)
    actions: list[dict[str, Any]] | None = Field(default=None, min_length=1, max_length=20)
    position: int | None = Field(default=None, ge=0, le=100000)
    stop_processing: bool | None = None
    is_active: bool | None = None


class RuleOut(BaseModel):
    id: int
    name: str
    trigger: str
    match: str
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    position: int
    stop_processing: bool
    is_active: bool
    last_error: str
    fired_count: int


class ConditionVerdict(BaseModel):
    field: str
    op: str
    expected: Any = None
    actual: Any = None
    matched: bool


class DryRunOut(BaseModel):
    rule_id: int
    name: str
    trigger: str
    would_fire: bool
    conditions: list[ConditionVerdict]
    error: str


def _out(rule: Rule) -> dict:
    return {
        "id": rule.pk,
        "name": rule.name,
        "trigger": rule.trigger,
        "match": rule.match,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "position": rule.position,
        "stop_processing": rule.stop_processing,
        "is_active": rule.is_active,
        "last_error": rule.last_error,
        "fired_count": rule.fired_count,
    }


def _admin(request: HttpRequest) -> None:
    require_scope(request, "admin")
    if not request.user.is_admin:
        raise Forbidden("Only administrators manage rules.")


@router.get("/rules", response=list[RuleOut], summary="Rules in the order they run")
def list_rules(request: HttpRequest):
    if not request.user.is_agent:
        raise Forbidden("Only agents may read rules.")
    return [_out(r) for r in Rule.objects.all()]


@router.post(
    "/rules", response={201: RuleOut}, summary="Create a rule (validated: fields, regexes, loops)"
)
def create_rule(request: HttpRequest, payload: RuleIn):
    _admin(request)
    return 201, _out(services.save_rule(request.user, **payload.model_dump()))


@router.patch("/rules/{rule_id}", response=RuleOut)
def update_rule(request: HttpRequest, rule_id: int, payload: RulePatch):
    _admin(request)
    rule = Rule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("No such rule.")
    return _out(
        services.save_rule(request.user, rule=rule, **payload.model_dump(exclude_unset=True))
    )


@router.get(
    "/tickets/{ticket_id}/rules/dry-run",
    response=list[DryRunOut],
    summary="Which rules would fire on this ticket now, and why",
)
def dry_run(request: HttpRequest, ticket_id: int, trigger: str | None = None):
    if not request.user.is_agent:
        raise NotFound("No such ticket.")
    ticket = selectors.get_ticket(request.user, ticket_id)
    return [
        {
            "rule_id": v.rule.pk,
            "name": v.rule.name,
            "trigger": v.rule.trigger,
            "would_fire": v.matched,
            "conditions": [
                {
                    "field": c.field,
                    "op": c.op,
                    "expected": c.expected,
                    "actual": c.actual,
                    "matched": c.matched,
                }
                for c in v.conditions
            ],
            "error": v.error,
        }
        for v in services.dry_run(ticket, trigger)
    ]


class MacroIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    body: str = Field(default="", max_length=20_000)
    as_note: bool = False
    actions: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    is_active: bool = True


class MacroOut(BaseModel):
    id: int
    name: str
    body: str
    as_note: bool
    actions: list[dict[str, Any]]
    is_active: bool
    usage_count: int


def _macro_out(macro) -> dict:
    return {
        "id": macro.pk,
        "name": macro.name,
        "body": macro.body,
        "as_note": macro.as_note,
        "actions": macro.actions,
        "is_active": macro.is_active,
        "usage_count": macro.usage_count,
    }


@router.get(
    "/macros", response=list[MacroOut], tags=["macros"], summary="Canned responses agents can apply"
)
def list_macros(request: HttpRequest):
    from helpline.dispatch.rule_models import Macro

    if not request.user.is_agent:
        raise Forbidden("Only agents use macros.")
    return [_macro_out(m) for m in Macro.objects.filter(is_active=True)]


@router.post("/macros", response={201: MacroOut}, tags=["macros"], summary="Create a macro")
def create_macro(request: HttpRequest, payload: MacroIn):
    from helpline.dispatch.macros import save_macro

    _admin(request)
    return 201, _macro_out(save_macro(request.user, **payload.model_dump()))


@router.post(
    "/tickets/{ticket_id}/macros/{macro_id}/apply",
    tags=["macros"],
    summary="Apply a macro: its field changes, then its reply or note",
)
def apply_macro(request: HttpRequest, ticket_id: int, macro_id: int):
    from helpline.dispatch.macros import apply_macro as apply
    from helpline.dispatch.rule_models import Macro

    require_scope(request, "tickets:write")
    ticket = selectors.get_ticket(request.user, ticket_id)  # 404 first: ids of others do not leak
    if not request.user.is_agent:
        raise Forbidden("Only agents apply macros.")
    macro = Macro.objects.filter(pk=macro_id).first()
    if macro is None:
        raise NotFound("No such macro.")
    ticket = apply(request.user, ticket, macro)
    return {"ticket_id": ticket.pk, "status": ticket.status, "message_count": ticket.message_count}
