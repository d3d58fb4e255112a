"""The rules pages: list and order, create and edit with a builder, and dry runs.

Thin: who may read is decided in rules.selectors, who may write in the rule services
(save_rule, move_rule); this module maps their refusals to 403/404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpline.accounts.models import User
from helpline.core.problems import ServiceError
from helpline.dispatch import rules_forms
from helpline.dispatch.rule_models import Rule, RuleTrigger
from helpline.dispatch.rules import selectors
from helpline.dispatch.rules.ordering import move_rule
from helpline.dispatch.rules.services import save_rule


def _refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in first; a refusal of the selectors or services becomes 404 or 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        try:
            return view(request, *args, **kwargs)
        except ServiceError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.detail) from exc
            if exc.status == 404:
                raise Http404(exc.detail) from exc
            raise

    return wrapper


def _user(request: HttpRequest) -> User:
    """The signed-in user (the _refusals wrapper has sent everyone else to sign in)."""
    return cast(User, request.user)


def _require_admin(request: HttpRequest) -> None:
    selectors.check_can_read_rules(_user(request))
    if not _user(request).is_admin:
        raise PermissionDenied(_("Only administrators manage rules."))


def _summary(rule: Rule) -> dict[str, Any]:
    conditions = [
        " ".join(
            part
            for part in (
                c["field"],
                rules_forms.op_label(c["op"]),
                rules_forms.display_value(c.get("value")) if "value" in c else "",
            )
            if part
        )
        for c in rule.conditions
    ]
    actions = [rules_forms.action_label(a["action"]) + _detail(a) for a in rule.actions]
    return {"rule": rule, "conditions": conditions, "actions": actions}


def _detail(action: dict[str, Any]) -> str:
    if action["action"] == "set_field":
        return f": {action['field']} = {rules_forms.display_value(action['value'])}"
    if action["action"] in ("add_tags", "remove_tags"):
        return f": {', '.join(action['tags'])}"
    if action["action"] == "notify":
        return f": {action['to']}"
    if action["action"] == "call_webhook":
        return f": {action['url']}"
    return ""


@_refusals
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(selectors.rules_for(_user(request)))
    sections = [
        {
            "trigger": value,
            "label": label,
            "rules": [_summary(r) for r in rules if r.trigger == value],
        }
        for value, label in RuleTrigger.choices
    ]
    return render(
        request,
        "dispatch/rules_list.html",
        {"sections": sections, "can_edit": _user(request).is_admin},
    )


@_refusals
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    _require_admin(request)
    rule = selectors.get_rule(_user(request), rule_id) if rule_id else None
    if request.method == "POST":
        return _save(request, rule)
    if rule is not None:
        form = rules_forms.RuleForm.for_rule(rule)
        conditions = rules_forms.condition_rows(rule.conditions)
        actions = rules_forms.action_rows(rule.actions)
    else:
        trigger = request.GET.get("trigger")
        form = rules_forms.RuleForm(
            initial={"trigger": trigger if trigger in RuleTrigger.values else RuleTrigger.CREATED}
        )
        conditions = [rules_forms.Row.for_condition({})]
        actions = [rules_forms.Row.for_action({})]
    return _form_page(request, rule, form, conditions, actions)


def _save(request: HttpRequest, rule: Rule | None) -> HttpResponse:
    form = rules_forms.RuleForm(request.POST)
    conditions = rules_forms.parse_conditions(request.POST)
    actions = rules_forms.parse_actions(request.POST)
    rows_ok = not any(row.error for row in conditions + actions)
    if len(conditions) > rules_forms.MAX_CONDITIONS or len(actions) > rules_forms.MAX_ACTIONS:
        form.add_error(
            None,
            _("A rule may have at most %(conditions)s conditions and %(actions)s actions.")
            % {"conditions": rules_forms.MAX_CONDITIONS, "actions": rules_forms.MAX_ACTIONS},
        )
    if form.is_valid() and rows_ok:
        try:
            saved = save_rule(
                _user(request),
                rule=rule,
                conditions=[row.clean for row in conditions],
                actions=[row.clean for row in actions],
                **form.cleaned_data,
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Rule saved: %(name)s.") % {"name": saved.name})
            return redirect("rules:list")
    elif not rows_ok:
        form.add_error(None, _("Some conditions or actions need fixing; see the marked rows."))
    return _form_page(request, rule, form, conditions, actions, status=422)


def _form_page(request, rule, form, conditions, actions, status: int = 200) -> HttpResponse:
    context = {
        "rule": rule,
        "form": form,
        "conditions": conditions,
        "actions": actions,
        "empty_condition": rules_forms.Row.for_condition({}),
        "empty_action": rules_forms.Row.for_action({}),
        "test_ticket": request.GET.get("ticket", ""),
        **rules_forms.builder_context(),
    }
    return render(request, "dispatch/rule_form.html", context, status=status)


@_refusals
@require_POST
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    selectors.check_can_read_rules(_user(request))
    move_rule(_user(request), rule_id, request.POST.get("direction", ""))
    return redirect("rules:list")


@_refusals
@require_POST
def rule_active(request: HttpRequest, rule_id: int) -> HttpResponse:
    _require_admin(request)
    rule = selectors.get_rule(_user(request), rule_id)
    active = request.POST.get("active") == "1"
    try:
        save_rule(_user(request), rule=rule, is_active=active)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        messages.error(
            request,
            _("%(name)s cannot be enabled: %(error)s") % {"name": rule.name, "error": exc.detail},
        )
    else:
        text = _("Rule enabled: %(name)s.") if active else _("Rule disabled: %(name)s.")
        messages.success(request, text % {"name": rule.name})
    return redirect("rules:list")


def _ticket_number(raw: str | None) -> int | None:
    raw = (raw or "").strip().lstrip("#")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@_refusals
def dry_run(request: HttpRequest) -> HttpResponse:
    """Every active rule against one ticket: would it fire, and each condition's values."""
    selectors.check_can_read_rules(_user(request))
    number = _ticket_number(request.GET.get("ticket"))
    trigger = request.GET.get("trigger", "")
    trigger = trigger if trigger in RuleTrigger.values else ""
    context: dict[str, Any] = {
        "number": number,
        "trigger": trigger,
        "triggers": RuleTrigger,
        "compact": request.GET.get("compact") == "1",  # the ticket page's narrow panel
    }
    if number is not None:
        try:
            context["verdicts"] = selectors.dry_run_for(_user(request), number, trigger)
        except ServiceError as exc:
            if exc.status != 404:
                raise
            context["not_found"] = True
    partial = bool(getattr(request, "htmx", False))
    template = "dispatch/_rules_dry_run.html" if partial else "dispatch/rules_dry_run.html"
    return render(request, template, context)


@_refusals
@require_POST
def test_draft(request: HttpRequest) -> HttpResponse:
    """The rule form's "Test against ticket": the conditions as typed, nothing saved."""
    selectors.check_can_read_rules(_user(request))
    number = _ticket_number(request.POST.get("test_ticket"))
    conditions = rules_forms.parse_conditions(request.POST)
    context: dict[str, Any] = {"number": number, "conditions": conditions}
    if number is None:
        context["problem"] = _("Enter a ticket number.")
    elif any(row.error for row in conditions):
        context["problem"] = _("Fix the conditions first; see the marked rows.")
    else:
        match = "any" if request.POST.get("match") == "any" else "all"
        try:
            context["verdict"] = selectors.dry_run_draft(
                _user(request), number, match=match, conditions=[r.clean for r in conditions]
            )
        except ServiceError as exc:
            if exc.status != 404:
                raise
            context["problem"] = _("There is no ticket #%(number)s.") % {"number": number}
    return render(request, "dispatch/_rule_test.html", context)
