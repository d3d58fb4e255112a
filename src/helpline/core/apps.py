from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "helpline.core"
    label = "core"

    def ready(self) -> None:
        from helpline.core.realtime import broadcast_ticket_change
        from helpline.tickets.events import subscribe

        subscribe(broadcast_ticket_change)
