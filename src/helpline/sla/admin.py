"""SLA configuration in the Django admin; any save drops this process's cached snapshot."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from helpline.sla.models import (
    BusinessCalendar,
    CalendarDate,
    SlaAlert,
    SlaPolicy,
    SlaTarget,
    TicketSla,
    WorkingHours,
)
from helpline.sla.policies import forget_config


class ForgetConfigMixin:
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        transaction.on_commit(forget_config)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        transaction.on_commit(forget_config)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)  # type: ignore[misc]
        transaction.on_commit(forget_config)


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class CalendarDateInline(admin.TabularInline):
    model = CalendarDate
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ForgetConfigMixin, admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_24x7", "country", "subdivision"]
    inlines = [WorkingHoursInline, CalendarDateInline]


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ForgetConfigMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "position",
        "is_active",
        "is_default",
        "calendar",
        "organization",
        "category",
        "ticket_type",
        "vip_only",
        "breach_action",
    ]
    list_editable = ["position", "is_active"]
    inlines = [SlaTargetInline]
    actions = ["reapply_to_open_tickets"]

    @admin.action(description=_("Re-apply the policies to all open tickets"))
    def reapply_to_open_tickets(self, request, queryset):
        from helpline.sla.tasks import reapply_policies_task

        transaction.on_commit(reapply_policies_task.enqueue)
        self.message_user(request, _("Open tickets will get their SLA recomputed shortly."))


@admin.register(TicketSla)
class TicketSlaAdmin(admin.ModelAdmin):
    """Read-only: clocks are kept by helpline.sla.services."""

    list_display = ["ticket", "policy_name", "priority", "resolution_due_at", "paused_at"]
    list_select_related = ["ticket"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SlaAlert)
class SlaAlertAdmin(admin.ModelAdmin):
    list_display = ["ticket", "metric", "kind", "threshold", "due_at", "action", "created_at"]
    list_filter = ["kind", "metric"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
