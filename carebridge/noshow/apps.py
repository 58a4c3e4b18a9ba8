from django.apps import AppConfig


class NoShowConfig(AppConfig):
    name = "carebridge.noshow"
    verbose_name = "No-show risk"
