from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from helpline.accounts.models import ApiToken, Organization, Skill, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "tier", "organization", "is_active"]
    list_filter = ["role", "tier", "is_active", "organization"]
    search_fields = ["email", "full_name", "phone"]
    filter_horizontal = ["skills", "groups", "user_permissions"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "phone", "language", "time_zone", "organization")}),
        ("Role", {"fields": ("role", "tier", "skills", "is_active", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2", "role")}),)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "is_vip", "shares_tickets"]
    search_fields = ["name", "domain"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tier", "email"]
    filter_horizontal = ["members"]
    prepopulated_fields = {"slug": ("name",)}


admin.site.register(Skill)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "hint"]
