from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carebridge.audit"
    verbose_name = "Audit log"
