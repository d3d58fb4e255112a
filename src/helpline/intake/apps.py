from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "helpline.intake"
    label = "intake"
