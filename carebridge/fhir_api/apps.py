from django.apps import AppConfig


class FhirApiConfig(AppConfig):
    name = "carebridge.fhir_api"
    verbose_name = "FHIR R4 facade"
