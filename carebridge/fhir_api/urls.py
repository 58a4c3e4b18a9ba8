from django.urls import path

from carebridge.fhir_api import views

app_name = "fhir"
urlpatterns = [
    path("", views.unknown_endpoint, {"rest": ""}),
    path("metadata", views.metadata, name="metadata"),
    path("<str:resource_type>", views.resource_type_endpoint, name="type"),
    path("<str:resource_type>/_search", views.search_endpoint, name="search"),
    path("<str:resource_type>/<str:resource_id>", views.resource_endpoint, name="instance"),
    path("<path:rest>", views.unknown_endpoint),
]
