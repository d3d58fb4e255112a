from django.contrib import admin

from helpline.notifications.models import NotificationIntent, OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status"]
    search_fields = ["to", "subject", "message_id"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]


@admin.register(NotificationIntent)
class NotificationIntentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "ticket", "status"]
    list_filter = ["kind", "status"]
