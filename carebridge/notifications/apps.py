from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "carebridge.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Messages to and from a duplicate record follow it into the record kept.
        from carebridge.notifications.services.merge import messages_follow_merge
        from carebridge.patients.services import merge_register

        merge_register(messages_follow_merge)
