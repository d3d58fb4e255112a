"""Forms of the agent workspace: list filters, bulk actions, the reply composer, ticket actions."""

from __future__ import annotations

import markdown as markdown_lib
from django import forms
from django.utils.translation import gettext_lazy as _

from helpline.accounts.choices import Tier
from helpline.core.sanitize import sanitize_html
from helpline.tickets.choices import (
    Channel,
    Level,
    LinkKind,
    MessageKind,
    Priority,
    Status,
    TicketType,
)

SORT_FIELDS = {
    "number": "number",
    "subject": "subject",
    "status": "status",
    "priority": "priority",
    "requester": "requester__full_name",
    "assignee": "assignee__full_name",
    "team": "team__name",
    "updated": "updated_at",
    "due": "due_at",
}


def markdown_to_html(text: str) -> str:
    """Markdown rendered on the server, then sanitised like any other incoming HTML."""
    rendered = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists", "nl2br"])
    return sanitize_html(rendered)


def _blank(choices, label=None) -> list[tuple[str, str]]:
    return [("", label or _("Any")), *choices]


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(Status.choices))
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=_blank(Priority.choices)
    )
    team = forms.IntegerField(label=_("Team"), required=False)
    sort = forms.CharField(required=False, max_length=20)

    def sort_order(self, default: list[str]) -> list[str]:
        raw = (self.cleaned_data.get("sort") or "") if self.is_valid() else ""
        field = SORT_FIELDS.get(raw.lstrip("-"))
        if field is None:
            return default
        return [f"-{field}" if raw.startswith("-") else field, "-id"]


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("assign", _("Assign")),
        ("status", _("Set status")),
        ("priority", _("Set priority")),
        ("tag", _("Add tag")),
        ("merge", _("Merge into")),
    ]
    action = forms.ChoiceField(label=_("Bulk action"), choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    assignee = forms.IntegerField(required=False)
    status = forms.ChoiceField(required=False, choices=_blank(Status.choices))
    priority = forms.ChoiceField(required=False, choices=_blank(Priority.choices))
    tag = forms.CharField(required=False, max_length=60)
    merge_into = forms.IntegerField(required=False, min_value=1)
    reason = forms.CharField(required=False, max_length=250)

    def __init__(self, *args, ticket_ids=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in ticket_ids]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, `code`, lists, links."),
    )
    kind = forms.ChoiceField(
        label=_("Send as"),
        choices=MessageKind.choices,
        initial=MessageKind.REPLY,
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(
        label=_("and set status"),
        required=False,
        choices=_blank(
            [(s, label) for s, label in Status.choices if s not in (Status.NEW, Status.CLOSED)],
            _("(keep)"),
        ),
    )
    time_spent = forms.IntegerField(
        label=_("Time spent, minutes"), required=False, min_value=0, max_value=24 * 60
    )
    seen_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_count = forms.IntegerField(widget=forms.HiddenInput, required=False)
    force = forms.BooleanField(widget=forms.HiddenInput, required=False)


class AssignForm(forms.Form):
    assignee = forms.IntegerField(required=False)
    team = forms.IntegerField(required=False)


class EscalateForm(forms.Form):
    tier = forms.ChoiceField(
        label=_("Escalate to"),
        choices=[(Tier.L2, Tier.L2.label), (Tier.L3, Tier.L3.label), (Tier.L1, Tier.L1.label)],
    )
    team = forms.IntegerField(label=_("Team"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    note = forms.CharField(label=_("Handoff note"), required=False, max_length=20_000)


class MergeForm(forms.Form):
    target = forms.IntegerField(label=_("Merge into ticket number"), min_value=1)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=250)


class LinkForm(forms.Form):
    target = forms.IntegerField(label=_("Ticket number"), min_value=1)
    kind = forms.ChoiceField(label=_("Link type"), choices=LinkKind.choices)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    reason = forms.CharField(label=_("Reason"), max_length=250)


class PropertiesForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    category = forms.IntegerField(label=_("Category"), required=False)


class NewTicketForm(forms.Form):
    """The operator's form for a phone call: who is calling, and what the problem is."""

    requester = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_email = forms.EmailField(label=_("E-mail"), required=False)
    new_name = forms.CharField(label=_("Full name"), required=False, max_length=200)
    new_phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        help_text=_("Markdown: **bold**, *italic*, `code`, lists, links."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    category = forms.IntegerField(label=_("Category"), required=False)
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices, initial=Level.MEDIUM)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Level.choices, initial=Level.MEDIUM)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (c, label) for c, label in Channel.choices if c in ("phone", "email", "chat", "agent")
        ],
        initial=Channel.PHONE,
    )
    assign_to_me = forms.BooleanField(label=_("Assign to me"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("requester") and not data.get("new_email"):
            raise forms.ValidationError(
                _("Choose the caller, or enter the e-mail of a new requester.")
            )
        return data
