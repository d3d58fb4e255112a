from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "helpline.kb"
    label = "kb"

    def ready(self) -> None:
        # Tickets are indexed for search after each committed change (tickets.events).
        from helpline.kb.indexing import on_ticket_change
        from helpline.tickets import events

        events.subscribe(on_ticket_change)

        # The demo is loaded without ticket events: its tickets are indexed here.
        from helpline.core.demo.builder import demo_loaded

        demo_loaded.connect(_index_demo_tickets, dispatch_uid="kb-demo-index")


def _index_demo_tickets(**kwargs) -> None:
    from helpline.kb.indexing import index_tickets
    from helpline.tickets.models import Ticket

    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        index_tickets(ids[start : start + 500])
