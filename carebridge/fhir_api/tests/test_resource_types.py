from fhir.resources.R4B import fhirtypes, get_fhir_model_class
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.resource import Resource

from carebridge.fhir_api.registry import HANDLERS
from carebridge.fhir_api.resource_types import R4_RESOURCE_TYPES

# fhir.resources models R4B (4.3.0), which took these R4 types out and put these in.
ONLY_IN_R4 = {
    "EffectEvidenceSynthesis",
    "MedicinalProduct",
    "MedicinalProductAuthorization",
    "MedicinalProductContraindication",
    "MedicinalProductIndication",
    "MedicinalProductIngredient",
    "MedicinalProductInteraction",
    "MedicinalProductManufactured",
    "MedicinalProductPackaged",
    "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect",
    "RiskEvidenceSynthesis",
    "SubstanceNucleicAcid",
    "SubstancePolymer",
    "SubstanceProtein",
    "SubstanceReferenceInformation",
    "SubstanceSourceMaterial",
    "SubstanceSpecification",
}
NEW_IN_R4B = {
    "AdministrableProductDefinition",
    "Citation",
    "ClinicalUseDefinition",
    "EvidenceReport",
    "Ingredient",
    "ManufacturedItemDefinition",
    "MedicinalProductDefinition",
    "NutritionProduct",
    "PackagedProductDefinition",
    "RegulatedAuthorization",
    "SubscriptionStatus",
    "SubscriptionTopic",
    "SubstanceDefinition",
}


def r4b_resource_types() -> set[str]:
    """Every concrete resource type fhir.resources has a model for."""
    found = set()
    for name in dir(fhirtypes):
        try:
            model = get_fhir_model_class(name.removesuffix("Type"))
        except ValueError:
            continue
        if issubclass(model, Resource) and model not in (Resource, DomainResource):
            found.add(model.get_resource_type())
    return found


def test_the_r4_resource_types_are_those_of_fhir_resources_before_r4b():
    r4b = r4b_resource_types()

    assert R4_RESOURCE_TYPES - r4b == ONLY_IN_R4
    assert r4b - R4_RESOURCE_TYPES == NEW_IN_R4B


def test_every_type_served_is_an_r4_resource_type():
    assert set(HANDLERS) <= R4_RESOURCE_TYPES
