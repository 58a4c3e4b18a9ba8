from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "carebridge.web"
    verbose_name = "Web"
