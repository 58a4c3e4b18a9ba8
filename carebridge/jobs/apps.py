from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "carebridge.jobs"
    verbose_name = "Scheduled jobs"
