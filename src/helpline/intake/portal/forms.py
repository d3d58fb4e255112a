"""Forms of the requester portal: a new request (with its category's custom fields), reply, rating."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from helpline.tickets.choices import CustomFieldType, TicketType
from helpline.tickets.custom_fields import fields_for
from helpline.tickets.models import Category, CustomField

PREFIX = "cf_"


def _custom_form_field(definition: CustomField) -> forms.Field | None:
    label = (
        definition.label_ru if get_language() == "ru" and definition.label_ru else definition.label
    )
    common: dict[str, Any] = {"label": label, "required": definition.required}
    choices = [(value, value) for value in definition.choices]
    kind = definition.field_type
    if kind == CustomFieldType.TEXT:
        return forms.CharField(max_length=2000, **common)
    if kind == CustomFieldType.NUMBER:
        return forms.DecimalField(**common)
    if kind == CustomFieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == CustomFieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    return None  # user fields are for agents


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.localized_name(get_language() or "en")


class PortalTicketForm(forms.Form):
    category = CategoryField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("I don't know"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=100_000,
        help_text=_("What happened, what you expected, and any error message you saw."),
    )

    def __init__(self, *args, category: Category | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.custom_keys: list[str] = []
        for definition in fields_for(TicketType.INCIDENT, category):
            field = _custom_form_field(definition)
            if field is not None:
                self.fields[PREFIX + definition.key] = field
                self.custom_keys.append(definition.key)

    def custom_bound_fields(self) -> list:
        return [self[PREFIX + key] for key in self.custom_keys]

    def custom_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key in self.custom_keys:
            value = self.cleaned_data.get(PREFIX + key)
            if value in (None, "", []):
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif hasattr(value, "as_tuple"):
                value = int(value) if value == value.to_integral_value() else float(value)
            values[key] = value
        return values


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How did we do?"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)]
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
