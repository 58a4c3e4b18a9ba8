from django.urls import path
from django.views.generic import RedirectView

from carebridge.notifications import views, views_settings

app_name = "notifications"
urlpatterns = [
    path("messages/", views.message_list_view, name="message_list"),
    path("messages/<uuid:public_id>/", views.message_detail_view, name="message_detail"),
    # The settings begin with the messages' wording; the reminder policy is a tab away.
    path("settings/", RedirectView.as_view(pattern_name="notifications:message_settings")),
    path("settings/messages/", views_settings.message_settings, name="message_settings"),
    path(
        "settings/messages/<str:kind>/<str:language>/<str:channel>/",
        views_settings.message_setting_edit,
        name="message_setting",
    ),
    path(
        "settings/messages/<str:kind>/<str:language>/<str:channel>/default/",
        views_settings.message_setting_reset,
        name="message_setting_reset",
    ),
]
