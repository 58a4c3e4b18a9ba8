from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "carebridge.scheduling"
    verbose_name = "Scheduling"
