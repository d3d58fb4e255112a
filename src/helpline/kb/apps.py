from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "helpline.kb"
    label = "kb"

    def ready(self) -> None:
        # Tickets are indexed for search after each committed change (tickets.events).
        from helpline.kb.indexing import on_ticket_change
        from helpline.tickets import events

        events.subscribe(on_ticket_change)
