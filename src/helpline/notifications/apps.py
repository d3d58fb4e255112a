from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "helpline.notifications"
    label = "notifications"

    def ready(self) -> None:
        from helpline.notifications.intents import record_intents
        from helpline.tickets.events import subscribe_in_transaction

        subscribe_in_transaction(record_intents)

        from helpline.notifications.sla_alerts import on_sla_alert
        from helpline.sla import events as sla_events

        sla_events.subscribe(on_sla_alert)
