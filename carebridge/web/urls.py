from django.contrib.auth import views as auth_views
from django.urls import path

from carebridge.web import views, views_merge, views_metrics

app_name = "web"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.board, name="board"),
    path("schedule/", views.board, name="schedule"),
    path("schedule/week/", views.week, name="week"),
    path("appointments/new/", views.appointment_new, name="appointment_new"),
    path("appointments/<uuid:public_id>/", views.appointment_detail, name="appointment_detail"),
    path(
        "appointments/<uuid:public_id>/cancel/",
        views.appointment_cancel_view,
        name="appointment_cancel",
    ),
    path(
        "appointments/<uuid:public_id>/status/",
        views.appointment_status_view,
        name="appointment_status",
    ),
    path(
        "appointments/<uuid:public_id>/confirm/",
        views.appointment_confirm_view,
        name="appointment_confirm",
    ),
    path(
        "appointments/<uuid:public_id>/reschedule/",
        views.appointment_reschedule_view,
        name="appointment_reschedule",
    ),
    path("patients/", views.patient_search_view, name="patient_search"),
    path("patients/new/", views.patient_new, name="patient_new"),
    path("patients/<uuid:public_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<uuid:public_id>/merge/", views_merge.patient_merge_view, name="patient_merge"),
    path(
        "patients/<uuid:public_id>/unmerge/",
        views_merge.patient_unmerge_view,
        name="patient_unmerge",
    ),
    path("find/", views.find_first_available, name="find"),
    path("metrics/", views_metrics.metrics, name="metrics"),
    path("metrics/export.csv", views_metrics.metrics_csv, name="metrics_csv"),
]
