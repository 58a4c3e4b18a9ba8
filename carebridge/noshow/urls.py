from django.urls import path

from carebridge.noshow import views

app_name = "noshow"
urlpatterns = [
    path("", views.noshow_page, name="page"),
    path("refresh/", views.noshow_refresh, name="refresh"),
    path("policy/", views.noshow_policy_view, name="policy"),
]
