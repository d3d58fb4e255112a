from django import forms
from django.contrib import admin

from helpline.dispatch.rule_models import Macro, Rule
from helpline.dispatch.rules.conditions import RuleError
from helpline.dispatch.rules.services import validate_rule


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = [
            "name",
            "trigger",
            "position",
            "match",
            "conditions",
            "actions",
            "stop_processing",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        try:
            data["conditions"], data["actions"] = validate_rule(
                name=data.get("name", ""),
                trigger=data.get("trigger", ""),
                match=data.get("match", "all"),
                conditions=data.get("conditions"),
                actions=data.get("actions"),
                others=list(Rule.objects.all()),
                rule_id=self.instance.pk,
            )
        except RuleError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ["name", "trigger", "position", "is_active", "fired_count", "last_error"]
    list_filter = ["trigger", "is_active"]


class MacroForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = ["name", "body", "as_note", "actions", "is_active"]

    def clean_actions(self):
        from helpline.dispatch.macros import validate_macro_actions

        try:
            return validate_macro_actions(self.cleaned_data.get("actions") or [])
        except RuleError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    form = MacroForm
    list_display = ["name", "as_note", "is_active", "usage_count"]
