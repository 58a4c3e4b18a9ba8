from django.urls import path

from carebridge.scheduling import views_waitlist

app_name = "waitlist"
urlpatterns = [
    path("", views_waitlist.waitlist, name="list"),
    path("new/", views_waitlist.waitlist_new, name="new"),
    path("policy/", views_waitlist.waitlist_policy_view, name="policy"),
    path("<uuid:public_id>/remove/", views_waitlist.waitlist_entry_remove, name="remove"),
]
