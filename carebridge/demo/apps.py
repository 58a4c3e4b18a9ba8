from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "carebridge.demo"
    verbose_name = "Demo clinic"
