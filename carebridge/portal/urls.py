from django.urls import path

from carebridge.portal import views, views_offer

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
    path("p/o/<str:token>/", views_offer.waitlist_offer, name="waitlist_offer"),
    path("p/o/<str:token>/take/", views_offer.waitlist_offer_take, name="waitlist_offer_take"),
    path(
        "p/o/<str:token>/decline/",
        views_offer.waitlist_offer_decline_view,
        name="waitlist_offer_decline",
    ),
    path("hooks/sms/twilio", views.sms_twilio, name="sms_twilio"),
]
