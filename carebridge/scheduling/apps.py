from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "carebridge.scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        # Messages about a visit are re-checked against it just before they go out.
        from carebridge.notifications.services.delivery import relevance_register
        from carebridge.scheduling.services.messages import TOPIC_TYPE, appointment_messages_wanted

        relevance_register(TOPIC_TYPE, appointment_messages_wanted)

        # What is queued about a patient's visits follows the patient's contact details.
        from carebridge.patients.services import contact_change_register
        from carebridge.scheduling.services.notices import notice_after_contact_change

        contact_change_register(notice_after_contact_change)

        # A duplicate record's visits and waitlist entries follow it into the record kept,
        # and back when the merge is undone.
        from carebridge.patients.services import merge_register
        from carebridge.scheduling.services.merge import visits_follow_merge, visits_follow_unmerge

        merge_register(move=visits_follow_merge, move_back=visits_follow_unmerge)
