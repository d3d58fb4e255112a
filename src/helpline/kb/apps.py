from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "helpline.kb"
    label = "kb"
