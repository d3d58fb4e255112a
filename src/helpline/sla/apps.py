from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "helpline.sla"
    label = "sla"

    def ready(self) -> None:
        from helpline.sla.services import on_ticket_change
        from helpline.tickets.events import subscribe

        subscribe(on_ticket_change)

        # The demo is loaded without ticket events: its tickets get their clocks here.
        from helpline.core.demo.builder import demo_loaded

        demo_loaded.connect(_clocks_for_demo, dispatch_uid="sla-demo-clocks")


def _clocks_for_demo(**kwargs) -> None:
    from helpline.sla.services import build_missing_clocks

    build_missing_clocks()
