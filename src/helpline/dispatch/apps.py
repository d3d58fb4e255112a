from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "helpline.dispatch"
    label = "dispatch"

    def ready(self) -> None:
        from helpline.dispatch.tasks import on_ticket_change
        from helpline.tickets import events

        events.subscribe(on_ticket_change)

        from helpline.dispatch.rules.hooks import on_ticket_change as run_rules_on_change

        events.subscribe(run_rules_on_change)

        from helpline.dispatch.routing_hooks import on_ticket_change as route_on_change

        events.subscribe(route_on_change)
