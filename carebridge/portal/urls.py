from django.urls import path

from carebridge.portal import views

app_name = "portal"
urlpatterns = [
    path("p/v/<str:token>/", views.visit, name="visit"),
    *(
        path(
            f"p/v/<str:token>/{action}/",
            views.visit_action,
            {"action": action},
            name=f"visit_{action}",
        )
        for action in views.ACTIONS
    ),
    path("p/v/<str:token>/choose/", views.visit_choose, name="visit_choose"),
    path("p/e/<str:token>/", views.email_opt_out, name="email_opt_out"),
    path("hooks/sms/twilio", views.sms_twilio, name="sms_twilio"),
]
