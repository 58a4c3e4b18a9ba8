from carebridge.fhir_api.registry import HANDLERS
from carebridge.fhir_api.tests.fhir_http import FhirClient, outcome_issue, validated


def test_capability_statement_needs_no_token_and_lists_what_is_served(db):
    response = FhirClient(token=None).get("metadata")

    assert response.status_code == 200
    statement = validated(response.json())
    resources = {entry["type"]: entry for entry in statement["rest"][0]["resource"]}
    assert set(resources) == {
        "Patient",
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
        "Schedule",
        "Slot",
        "Appointment",
        "CommunicationRequest",
        "Communication",
    }
    assert [i["code"] for i in resources["Patient"]["interaction"]] == [
        "read",
        "search-type",
        "create",
        "update",
    ]
    assert [i["code"] for i in resources["Slot"]["interaction"]] == ["read", "search-type"]
    assert {p["name"] for p in resources["Patient"]["searchParam"]} == {
        "_id",
        "identifier",
        "name",
        "family",
        "given",
        "birthdate",
        "phone",
        "email",
        "gender",
    }
    assert {p["name"] for p in resources["Slot"]["searchParam"]} == {
        param.name for param in HANDLERS["Slot"].search_params
    }


def test_capability_statement_refuses_other_methods(db):
    response = FhirClient(token=None).post("metadata", {"resourceType": "Patient"})

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert outcome_issue(response)["code"] == "not-supported"


def test_capability_statement_lists_the_message_resources(db):
    statement = validated(FhirClient(token=None).get("metadata").json())
    resources = {entry["type"]: entry for entry in statement["rest"][0]["resource"]}

    for name in ("CommunicationRequest", "Communication"):
        assert [i["code"] for i in resources[name]["interaction"]] == ["read", "search-type"]
    assert {p["name"] for p in resources["CommunicationRequest"]["searchParam"]} == {
        "_id",
        "patient",
        "subject",
        "status",
        "occurrence",
        "category",
    }
    assert {p["name"] for p in resources["Communication"]["searchParam"]} == {
        "_id",
        "patient",
        "subject",
        "status",
        "sent",
        "received",
        "category",
    }


def test_capability_statement_says_how_search_values_combine(db):
    statement = validated(FhirClient(token=None).get("metadata").json())
    resources = {entry["type"]: entry for entry in statement["rest"][0]["resource"]}
    slot = {param["name"]: param for param in resources["Slot"]["searchParam"]}
    patient = {param["name"]: param for param in resources["Patient"]["searchParam"]}

    assert "comma-separated alternatives" in statement["rest"][0]["documentation"]
    assert "a backslash before a comma, $, | or backslash" in statement["rest"][0]["documentation"]
    assert slot["start"]["documentation"].endswith("comma-separated alternatives are refused.")
    assert "refused" not in slot["status"]["documentation"]
    assert "one at a time" not in patient["gender"]["documentation"]
    assert patient["family"]["documentation"].endswith("Modifiers: :exact, :contains.")
    assert "Modifiers" not in patient["birthdate"]["documentation"]
    assert patient["gender"]["documentation"].endswith("Modifiers: :not.")
    assert patient["email"]["documentation"].endswith("Modifiers: :missing.")
