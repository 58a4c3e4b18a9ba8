import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.fhir_api.tests.fhir_http import FhirClient, outcome_issue, validated
from carebridge.patients.models import Patient
from carebridge.patients.services import identifier_add, patient_create


def new_patient(**changes) -> dict:
    return {
        "resourceType": "Patient",
        "name": [{"family": "Nguyen", "given": ["Linh"]}],
        "gender": "female",
        "birthDate": "1975-09-30",
        "telecom": [{"system": "phone", "value": "+1 617 555 0199", "use": "mobile"}],
        **changes,
    }


def test_read_returns_the_patient_with_version_and_etag_and_audits_it(
    fhir_a, patient_a, coordinator_a
):
    response = fhir_a.get(f"Patient/{patient_a.public_id}")

    assert response.status_code == 200
    assert response["ETag"] == 'W/"1"'
    patient = validated(response.json())
    assert patient["id"] == str(patient_a.public_id)
    assert patient["meta"]["versionId"] == "1"
    assert patient["name"][0]["family"] == "Álvarez"
    entry = AuditEntry.objects.filter(patient_ref=str(patient_a.public_id), action="read").get()
    assert entry.token_id == coordinator_a.api_tokens.get().pk
    assert entry.actor == coordinator_a


def test_other_organization_gets_404_on_read(fhir_a, patient_b):
    response = fhir_a.get(f"Patient/{patient_b.public_id}")

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"


def test_unknown_or_malformed_id_gets_404(fhir_a, org_a):
    assert fhir_a.get("Patient/4f0c1d55-6d3a-4c7b-9d55-000000000000").status_code == 404
    assert fhir_a.get("Patient/not-a-uuid").status_code == 404


def test_create_registers_the_patient(fhir_a, org_a):
    response = fhir_a.post("Patient", new_patient())

    assert response.status_code == 201
    created = validated(response.json())
    assert response["Location"].endswith(f"/fhir/Patient/{created['id']}")
    assert response["ETag"] == 'W/"1"'
    patient = Patient.objects.get(public_id=created["id"])
    assert (patient.organization, patient.family_name, patient.phone_mobile) == (
        org_a,
        "Nguyen",
        "+16175550199",
    )


def test_create_names_the_element_at_fault(fhir_a, org_a):
    response = fhir_a.post("Patient", new_patient(birthDate="30/09/1975"))

    assert response.status_code == 400
    issue = outcome_issue(response)
    assert issue["expression"] == ["Patient.birthDate"]
    assert "30/09/1975" in issue["diagnostics"]
    assert not Patient.objects.filter(family_name="Nguyen").exists()


def test_update_with_current_version_changes_the_patient(fhir_a, patient_a):
    body = fhir_a.get(f"Patient/{patient_a.public_id}").json()
    body["name"][0]["family"] = "Alvarez-Ruiz"

    response = fhir_a.put(f"Patient/{patient_a.public_id}", body, **{"If-Match": 'W/"1"'})

    assert response.status_code == 200
    assert response["ETag"] == 'W/"2"'
    assert validated(response.json())["name"][0]["family"] == "Alvarez-Ruiz"
    patient_a.refresh_from_db()
    assert (patient_a.family_name, patient_a.version) == ("Alvarez-Ruiz", 2)


def test_update_with_stale_version_gets_412_and_changes_nothing(fhir_a, patient_a):
    body = fhir_a.get(f"Patient/{patient_a.public_id}").json()
    body["name"][0]["family"] = "First"
    assert fhir_a.put(f"Patient/{patient_a.public_id}", body).status_code == 200
    body["name"][0]["family"] = "Second"

    response = fhir_a.put(f"Patient/{patient_a.public_id}", body, **{"If-Match": 'W/"1"'})

    assert response.status_code == 412
    assert outcome_issue(response)["code"] == "conflict"
    assert outcome_issue(response)["expression"] == ["Patient.meta.versionId"]
    patient_a.refresh_from_db()
    assert (patient_a.family_name, patient_a.version) == ("First", 2)


def test_update_adds_new_identifiers(fhir_a, patient_a):
    body = fhir_a.get(f"Patient/{patient_a.public_id}").json()
    body["identifier"].append({"system": "urn:example:payer", "value": "P-77"})

    response = fhir_a.put(f"Patient/{patient_a.public_id}", body)

    assert response.status_code == 200
    assert {"system": "urn:example:payer", "value": "P-77"} in response.json()["identifier"]


def test_update_refuses_a_body_for_another_id(fhir_a, patient_a):
    body = fhir_a.get(f"Patient/{patient_a.public_id}").json()
    body["id"] = "something-else"

    response = fhir_a.put(f"Patient/{patient_a.public_id}", body)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Patient.id"]


def test_other_organization_gets_404_on_update(fhir_a, patient_b, token_b):
    body = FhirClient(token_b).get(f"Patient/{patient_b.public_id}").json()

    response = fhir_a.put(f"Patient/{patient_b.public_id}", body)

    assert response.status_code == 404
    patient_b.refresh_from_db()
    assert patient_b.version == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"family": "alva"}, ["Álvarez"]),
        ({"given": "jos"}, ["Álvarez"]),
        ({"name": "jose"}, ["Álvarez"]),
        # :exact is the whole name as written; :contains any part, in any case and accents.
        ({"family:exact": "Álvarez"}, ["Álvarez"]),
        ({"family:exact": "Alvarez"}, []),
        ({"family:exact": "Álvare"}, []),
        ({"given:exact": "Greta"}, ["Zimmer"]),
        ({"name:exact": "Zimmer"}, ["Zimmer"]),
        ({"name:exact": "José"}, ["Álvarez"]),
        ({"family:contains": "VAREZ"}, ["Álvarez"]),
        ({"given:contains": "ret"}, ["Zimmer"]),
        ({"name:contains": "mme"}, ["Zimmer"]),
        ({"name:contains": "e"}, ["Álvarez", "Zimmer"]),
        ({"family:contains": "greta"}, []),
        ({"birthdate": "1980-05-17"}, ["Álvarez"]),
        ({"birthdate": "eq1980-05-17"}, ["Álvarez"]),
        ({"gender": "female"}, ["Zimmer"]),
        ({"gender:not": "male"}, ["Zimmer"]),
        ({"gender:not": "male,female"}, []),
        ({"phone": "6175550101"}, ["Álvarez"]),
        ({"email": "JOSE@example.org"}, ["Álvarez"]),
        ({"identifier": "A-1001"}, ["Álvarez"]),
        ({"identifier": "urn:carebridge:clinic-a:mrn|A-1001"}, ["Álvarez"]),
        ({"identifier": "urn:example:lab|Z-9"}, ["Zimmer"]),
        # The MRN is under the clinic's MRN system only.
        ({"identifier": "urn:example:lab|A-1001"}, []),
        ({"identifier": "urn:carebridge:clinic-b:mrn|A-1001"}, []),
        ({"identifier": "|A-1001"}, []),
        # An identifier's value is matched as written, the MRN's too.
        ({"identifier": "urn:carebridge:clinic-a:mrn|a-1001"}, []),
        ({"identifier": "a-1001"}, []),
        # `system|`: any value in the system; every patient has an MRN.
        ({"identifier": "urn:example:lab|"}, ["Zimmer"]),
        ({"identifier": "urn:carebridge:clinic-a:mrn|"}, ["Álvarez", "Zimmer"]),
        ({"_id": "not-a-uuid"}, []),
    ],
)
def test_search_by_each_parameter(fhir_a, org_a, patient_a, params, expected):
    patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "Greta",
            "family_name": "Zimmer",
            "birth_date": datetime.date(1960, 1, 1),
            "sex": "female",
        },
        identifiers=[("urn:example:lab", "Z-9")],
    )

    bundle = validated(fhir_a.get("Patient", params).json())

    assert [entry["resource"]["name"][0]["family"] for entry in bundle.get("entry", [])] == expected
    assert bundle["total"] == len(expected)


def test_a_bar_before_the_value_asks_for_an_identifier_without_a_system(fhir_a, patient_a):
    # Every identifier CareBridge keeps has a system, so no patient has one without.
    identifier_add(patient=patient_a, system="urn:example:lab", value="L-6")

    def found(token: str) -> int:
        return fhir_a.get("Patient", {"identifier": token}).json()["total"]

    assert [found("|L-6"), found("L-6"), found("urn:example:lab|L-6")] == [0, 1, 1]


def test_every_given_name_is_searched(fhir_a):
    created = fhir_a.post(
        "Patient", new_patient(name=[{"family": "Lind", "given": ["Zora", "Quilla"]}])
    )
    assert created.status_code == 201

    for params in [{"given": "quil"}, {"name": "Quilla"}, {"given:contains": "UILL"}]:
        assert fhir_a.get("Patient", params).json()["total"] == 1, params


def test_search_by_id(fhir_a, patient_a):
    bundle = fhir_a.get("Patient", {"_id": str(patient_a.public_id)}).json()

    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [str(patient_a.public_id)]


def test_birthdate_ranges_are_refused_with_the_reason(fhir_a, patient_a):
    response = fhir_a.get("Patient", {"birthdate": "ge1980-01-01"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["birthdate"]


def test_search_never_shows_another_organizations_patients(fhir_a, patient_a, patient_b):
    bundle = fhir_a.get("Patient", {"family": "brown"}).json()
    everyone = fhir_a.get("Patient").json()

    assert bundle["total"] == 0
    assert str(patient_b.public_id) not in {e["resource"]["id"] for e in everyone["entry"]}
    assert everyone["total"] == 1


def test_search_audits_each_patient_returned(fhir_a, patient_a):
    fhir_a.get("Patient", {"family": "alvarez"})

    assert AuditEntry.objects.filter(patient_ref=str(patient_a.public_id), action="query").exists()


def test_search_runs_a_fixed_number_of_queries(fhir_a, org_a, django_assert_max_num_queries):
    for number in range(12):
        patient_create(
            organization=org_a,
            actor=None,
            fields={
                "given_name": f"Given{number}",
                "family_name": "Same",
                "birth_date": datetime.date(1990, 1, 1),
            },
        )

    fhir_a.get("Organization")  # the token records its first use once a minute
    with django_assert_max_num_queries(10):
        bundle = fhir_a.get("Patient", {"family": "same"}).json()

    assert len(bundle["entry"]) == 12


def test_create_reports_each_refused_value_as_an_issue(fhir_a, org_a):
    telecom = [{"system": "phone", "value": "12345", "use": "mobile"}]
    response = fhir_a.post("Patient", new_patient(birthDate="2999-01-01", telecom=telecom))

    assert response.status_code == 400
    issues = validated(response.json())["issue"]
    assert [issue["diagnostics"].split(":")[0] for issue in issues] == [
        "phone_mobile",
        "birth_date",
    ]
    assert [issue["expression"] for issue in issues] == [["Patient.telecom"], ["Patient.birthDate"]]
    assert not Patient.objects.filter(family_name="Nguyen").exists()


def mrn_identifier(mrn: str) -> dict:
    return {"system": "urn:carebridge:clinic-a:mrn", "value": mrn}


def test_create_refuses_a_second_mrn(fhir_a, patient_a):
    body = new_patient(identifier=[mrn_identifier("A-2002"), mrn_identifier(patient_a.mrn)])

    response = fhir_a.post("Patient", body)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Patient.identifier"]
    assert not Patient.objects.filter(family_name="Nguyen").exists()


def test_update_refuses_a_second_mrn_so_an_mrn_finds_one_patient(fhir_a, org_a, patient_a):
    other = fhir_a.post("Patient", new_patient(identifier=[mrn_identifier("A-2002")])).json()
    other["identifier"].append(mrn_identifier(patient_a.mrn))

    response = fhir_a.put(f"Patient/{other['id']}", other)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Patient.identifier"]
    found = fhir_a.get("Patient", {"identifier": f"urn:carebridge:clinic-a:mrn|{patient_a.mrn}"})
    assert [entry["resource"]["id"] for entry in found.json()["entry"]] == [
        str(patient_a.public_id)
    ]


def test_taking_another_patients_mrn_gets_409(fhir_a, patient_a):
    other = fhir_a.post("Patient", new_patient(identifier=[mrn_identifier("A-2002")])).json()
    other["identifier"] = [mrn_identifier(patient_a.mrn)]

    response = fhir_a.put(f"Patient/{other['id']}", other)

    assert response.status_code == 409
    assert outcome_issue(response)["expression"] == ["Patient.identifier"]
    assert Patient.objects.get(public_id=other["id"]).mrn == "A-2002"


def test_create_refuses_a_country_that_is_not_an_iso_code(fhir_a, org_a):
    address = [{"line": ["1 Main St"], "city": "Boston", "country": "XX"}]
    response = fhir_a.post("Patient", new_patient(address=address))

    assert response.status_code == 400
    issue = outcome_issue(response)
    assert issue["expression"] == ["Patient.address"]
    assert "'XX' is not an ISO 3166 two-letter country code" in issue["diagnostics"]
    assert not Patient.objects.filter(family_name="Nguyen").exists()
