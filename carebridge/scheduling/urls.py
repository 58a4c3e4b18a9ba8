from django.urls import path

from carebridge.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("inbox/", views.reply_inbox, name="reply_inbox"),
    path("inbox/<uuid:public_id>/resolve/", views.reply_resolve, name="reply_resolve"),
]
