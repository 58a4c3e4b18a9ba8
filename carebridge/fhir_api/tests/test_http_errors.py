import json

import pytest

from carebridge.accounts.services import token_issue, token_revoke
from carebridge.audit.models import AuditEntry
from carebridge.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from carebridge.fhir_api.outcomes import error_outcome
from carebridge.fhir_api.tests.fhir_http import FhirClient, outcome_issue
from carebridge.patients.models import Patient


def test_no_token_gets_401_with_a_bearer_challenge(patient_a):
    response = FhirClient(token=None).get(f"Patient/{patient_a.public_id}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert outcome_issue(response)["code"] == "login"


def test_unknown_token_gets_401(patient_a):
    response = FhirClient("cbt_not-a-real-token").get("Patient")

    assert response.status_code == 401


def test_revoked_token_gets_401(coordinator_a, org_a):
    token, raw = token_issue(user=coordinator_a)
    token_revoke(organization=org_a, prefix=token.prefix)

    assert FhirClient(raw).get("Patient").status_code == 401


def test_other_schemes_get_401(token_a):
    response = FhirClient(None).get("Patient", Authorization=f"Basic {token_a}")

    assert response.status_code == 401


def test_malformed_json_gets_400_naming_the_resource(fhir_a):
    response = fhir_a.post("Patient", '{"resourceType": "Patient", ')

    assert response.status_code == 400
    issue = outcome_issue(response)
    assert issue["expression"] == ["Patient"]
    assert "not valid JSON" in issue["diagnostics"]


def test_wrong_resource_type_gets_400(fhir_a):
    response = fhir_a.post("Patient", {"resourceType": "Practitioner"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Patient.resourceType"]


def test_a_nul_character_in_a_resource_gets_400_naming_the_element(fhir_a):
    patient = {
        "resourceType": "Patient",
        "name": [{"family": "Ruiz", "given": ["Ana", "Mar\x00ia"]}],
        "birthDate": "1990-01-01",
    }

    response = fhir_a.post("Patient", patient)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Patient.name[0].given[1]"]
    assert Patient.objects.count() == 0


@pytest.mark.parametrize(
    ("resource_type", "params", "parameter"),
    [
        ("Patient", {"name": "an\x00a"}, "name"),
        ("Patient", {"identifier": "x|\x00"}, "identifier"),
        ("Practitioner", {"name": "\x00"}, "name"),
    ],
)
def test_a_nul_character_in_a_search_gets_400_naming_the_parameter(
    fhir_a, resource_type, params, parameter
):
    response = fhir_a.get(resource_type, params)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == [parameter]


def test_a_nul_character_in_an_id_is_not_found_and_the_probe_is_audited(fhir_a, org_a):
    response = fhir_a.get("Patient/\x00")

    assert response.status_code == 404
    (entry,) = AuditEntry.objects.filter(organization=org_a, outcome="denied")
    assert entry.object_ref == "\\x00"


def test_body_over_the_limit_gets_413_before_it_is_read(fhir_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = {"resourceType": "Patient", "name": [{"family": "x" * 200}]}

    response = fhir_a.post("Patient", body)

    assert response.status_code == 413
    assert outcome_issue(response)["code"] == "too-costly"
    assert not Patient.objects.exists()


@pytest.mark.parametrize("content_type", ["application/fhir+xml", "text/plain"])
def test_a_resource_not_in_json_gets_415_naming_the_content_type(fhir_a, content_type):
    body = '{"resourceType": "Patient", "name": [{"family": "Lima"}]}'

    response = fhir_a.client.post(
        "/fhir/Patient", body, content_type=content_type, headers=fhir_a.headers
    )

    assert response.status_code == 415
    issue = outcome_issue(response)
    assert (issue["code"], issue["expression"]) == ("not-supported", ["Content-Type"])
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json+fhir", "application/fhir+json"]
)
def test_a_resource_is_read_as_any_of_the_json_types(fhir_a, content_type):
    body = json.dumps(
        {"resourceType": "Patient", "name": [{"family": "Lima", "given": ["Ana"]}]}
        | {"gender": "female", "birthDate": "1990-01-02"}
    )

    response = fhir_a.client.post(
        "/fhir/Patient", body, content_type=content_type, headers=fhir_a.headers
    )

    assert response.status_code == 201


def test_unsupported_methods_get_405_with_allow(fhir_a, patient_a):
    delete = fhir_a.delete(f"Patient/{patient_a.public_id}")
    create_practitioner = fhir_a.post("Practitioner", {"resourceType": "Practitioner"})

    assert delete.status_code == 405
    assert delete["Allow"] == "GET, PUT"
    assert create_practitioner.status_code == 405
    assert create_practitioner["Allow"] == "GET"
    assert outcome_issue(create_practitioner)["code"] == "not-supported"


@pytest.mark.parametrize("path", ["Observation", "Observation/1", "MedicinalProduct"])
def test_a_fhir_resource_type_not_served_is_not_supported(fhir_a, path):
    response = fhir_a.get(path)

    assert response.status_code == 404
    issue = outcome_issue(response)
    assert issue["code"] == "not-supported"
    assert issue["details"]["coding"][0]["code"] == "resource_type_not_supported"
    assert issue["diagnostics"] == (
        f"the resource type {path.split('/')[0]!r} is not supported by this server"
    )


@pytest.mark.parametrize("path", ["Pateint", "patient", "Pateint/1", "DomainResource"])
def test_a_name_that_is_no_fhir_resource_type_says_so(fhir_a, path):
    response = fhir_a.get(path)

    assert response.status_code == 404
    issue = outcome_issue(response)
    assert issue["code"] == "not-found"
    assert issue["details"]["coding"][0]["code"] == "unknown_resource_type"
    assert issue["diagnostics"] == f"{path.split('/')[0]!r} is not a FHIR resource type"


def test_creating_a_type_not_served_is_not_supported(fhir_a):
    response = fhir_a.post("Observation", {"resourceType": "Observation"})

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-supported"


def test_unknown_paths_get_a_404_outcome(fhir_a, patient_a):
    response = fhir_a.get(f"Patient/{patient_a.public_id}/_history/1")

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"


def test_the_base_address_answers_a_404_outcome_for_batches_it_does_not_take(fhir_a):
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": []}

    for response in (fhir_a.post("", bundle), fhir_a.get("")):
        assert response.status_code == 404
        assert outcome_issue(response)["diagnostics"] == "/fhir/ is not an endpoint of this server"


def test_bad_if_match_gets_400(fhir_a, patient_a):
    body = fhir_a.get(f"Patient/{patient_a.public_id}").json()

    response = fhir_a.put(f"Patient/{patient_a.public_id}", body, **{"If-Match": "yesterday"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["If-Match"]


@pytest.mark.parametrize(
    ("error", "status", "issue_code"),
    [
        (InvalidInput("start: bad", field="start"), 400, "invalid"),
        (NotFound("gone"), 404, "not-found"),
        (Conflict("taken", code="slot_taken", field="start"), 409, "conflict"),
        (StaleVersion("stale"), 412, "conflict"),
        (DomainError("closed", code="outside_availability", field="start"), 422, "business-rule"),
    ],
)
def test_each_domain_error_becomes_its_status_and_issue(error, status, issue_code):
    got_status, outcome = error_outcome(error, resource_type="Appointment")

    assert got_status == status
    issue = outcome["issue"][0]
    assert issue["code"] == issue_code
    assert issue["details"]["coding"][0]["code"] == error.code
    assert issue.get("expression") == (["Appointment.start"] if error.field else None)


def test_a_server_fault_is_an_operation_outcome_without_internals(fhir_a, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("carebridge.fhir_api.interactions.patient.patient_search", explode)
    response = fhir_a.get("Patient")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/fhir+json")
    assert outcome_issue(response)["code"] == "exception"
    assert "secret" not in response.content.decode()
