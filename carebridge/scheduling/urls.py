from django.urls import path

from carebridge.scheduling import views, views_reminders, views_time_off, views_weekly_hours

app_name = "scheduling"
urlpatterns = [
    path("schedule/hours/", views_weekly_hours.weekly_hours_page, name="weekly_hours"),
    path(
        "schedule/hours/<uuid:public_id>/end/",
        views_weekly_hours.weekly_hours_end_view,
        name="weekly_hours_end",
    ),
    path("schedule/time-off/", views_time_off.time_off, name="time_off"),
    path(
        "schedule/time-off/<uuid:public_id>/offer/",
        views_time_off.time_off_offer,
        name="time_off_offer",
    ),
    path(
        "schedule/time-off/<uuid:public_id>/remove/",
        views_time_off.time_off_remove,
        name="time_off_remove",
    ),
    path("inbox/", views.reply_inbox, name="reply_inbox"),
    path("inbox/<uuid:public_id>/resolve/", views.reply_resolve, name="reply_resolve"),
    path("inbox/reply-as-patient/<uuid:public_id>/", views.reply_as_patient, name="reply_as"),
    path("settings/reminders/", views_reminders.reminder_settings, name="reminder_settings"),
    path(
        "settings/reminders/visit-types/<uuid:public_id>/",
        views_reminders.reminder_override,
        name="reminder_override",
    ),
    path(
        "settings/reminders/visit-types/<uuid:public_id>/remove/",
        views_reminders.reminder_override_remove,
        name="reminder_override_remove",
    ),
]
