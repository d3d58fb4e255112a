from django.contrib import admin

from helpline.tickets.models import Category, CustomField, Tag, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ru", "parent", "default_team", "is_active"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "label",
        "field_type",
        "required",
        "ticket_type",
        "category",
        "is_active",
    ]


admin.site.register(Tag)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only here: every change must go through tickets.services to be recorded."""

    list_display = ["number", "subject", "status", "priority", "team", "assignee", "created_at"]
    list_filter = ["status", "priority", "team"]
    search_fields = ["subject", "=number"]
    list_select_related = ["team", "assignee"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "field", "actor", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
