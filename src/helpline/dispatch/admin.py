from django import forms
from django.contrib import admin

from helpline.dispatch.rule_models import Rule
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
