from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "carebridge.notifications"
    verbose_name = "Notifications"
