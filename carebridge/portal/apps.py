from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "carebridge.portal"
    verbose_name = "Patient pages and inbound webhooks"
