from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carebridge.core"
    verbose_name = "Core"
