from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "helpline.sla"
    label = "sla"

    def ready(self) -> None:
        from helpline.sla.services import on_ticket_change
        from helpline.tickets.events import subscribe

        subscribe(on_ticket_change)
