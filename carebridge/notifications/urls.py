from django.urls import path

from carebridge.notifications import views

app_name = "notifications"
urlpatterns = [
    path("messages/", views.message_list_view, name="message_list"),
    path("messages/<uuid:public_id>/", views.message_detail_view, name="message_detail"),
]
