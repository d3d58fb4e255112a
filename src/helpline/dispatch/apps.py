from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "helpline.dispatch"
    label = "dispatch"
