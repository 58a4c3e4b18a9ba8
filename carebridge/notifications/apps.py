from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "carebridge.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Messages to and from a duplicate record follow it into the record kept, and back
        # when the merge is undone.
        from carebridge.notifications.services.merge import (
            messages_follow_merge,
            messages_follow_unmerge,
        )
        from carebridge.patients.services import merge_register

        merge_register(move=messages_follow_merge, move_back=messages_follow_unmerge)
