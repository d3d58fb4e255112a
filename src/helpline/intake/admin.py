"""Administration of e-mail intake: mailboxes, the ledger, quarantine (with retry), bounces."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpline.intake.choices import InboundStatus
from helpline.intake.models import (
    BouncedAddress,
    InboundEmail,
    Mailbox,
    QuarantinedEmail,
    TicketFollower,
)


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["address", "name", "is_active", "created_at"]


class _ReadOnlyLedger(admin.ModelAdmin):
    """Ledger rows are written only by the pipeline."""

    list_display = ["received_at", "status", "sender", "subject", "ticket_link", "attempts"]
    list_filter = ["status", "is_auto_reply", "is_bounce", "is_bulk", "mailbox"]
    search_fields = ["sender", "subject", "email_message_id"]
    readonly_fields = [field.name for field in InboundEmail._meta.fields] + ["raw_link"]
    exclude = ["raw"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: InboundEmail) -> str:
        return f"#{obj.ticket.number}" if obj.ticket_id else ""

    @admin.display(description=_("raw e-mail"))
    def raw_link(self, obj: InboundEmail) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("intake-email-raw", args=[obj.pk]), _("download .eml")
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("ticket", "mailbox")


@admin.register(InboundEmail)
class InboundEmailAdmin(_ReadOnlyLedger):
    pass


@admin.register(QuarantinedEmail)
class QuarantinedEmailAdmin(_ReadOnlyLedger):
    """Mail that could not be processed, with the error; retry after a fix."""

    list_display = ["received_at", "sender", "subject", "error", "attempts", "source"]
    actions = ["retry"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(status=InboundStatus.QUARANTINED)

    @admin.action(description=_("Retry the selected e-mails"))
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        from helpline.intake.email.pipeline import retry_quarantined

        for row in queryset:
            result = retry_quarantined(row.pk)
            level = (
                messages.WARNING
                if result.outcome == InboundStatus.QUARANTINED
                else messages.SUCCESS
            )
            self.message_user(request, f"{row.pk}: {result.line()}", level)


@admin.register(BouncedAddress)
class BouncedAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "bounce_count", "status", "diagnostic", "last_bounced_at"]
    search_fields = ["email"]


@admin.register(TicketFollower)
class TicketFollowerAdmin(admin.ModelAdmin):
    list_display = ["email", "ticket", "user", "created_at"]
    search_fields = ["email"]
    raw_id_fields = ["ticket", "user"]
