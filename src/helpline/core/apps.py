from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "helpline.core"
    label = "core"

    def ready(self) -> None:
        from helpline.core.realtime import broadcast_ticket_change
        from helpline.tickets.events import subscribe_after_commit

        # Live updates must reach browsers at once and touch no database: in the request.
        subscribe_after_commit(broadcast_ticket_change)
