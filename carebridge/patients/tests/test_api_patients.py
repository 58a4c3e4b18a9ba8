import datetime

import pytest

from carebridge.accounts.models import ApiToken
from carebridge.accounts.services import token_issue
from carebridge.audit.models import AuditEntry
from carebridge.patients.models import Patient
from carebridge.patients.services import patient_create, patient_merge
from carebridge.tests.api_client import ApiClient, queries_for

NEW_PATIENT = {
    "given_name": "Maria",
    "family_name": "Santos",
    "birth_date": "1975-03-09",
    "phone_mobile": "(617) 555-0188",
    "preferred_language": "pt",
}


@pytest.fixture
def api_b(token_b):
    return ApiClient(token_b)


def _other_patient(org, given, family, born, mrn):
    return patient_create(
        organization=org,
        actor=None,
        fields={"given_name": given, "family_name": family, "birth_date": born, "mrn": mrn},
    )


@pytest.mark.parametrize(
    "params",
    [
        {"q": "alvarez"},
        {"q": "A-1001"},
        {"name": "jose alv"},
        {"birth_date": "1980-05-17"},
        {"phone": "6175550101"},
        {"mrn": "a-1001"},
    ],
)
def test_search_finds_the_patient_by_each_criterion(api_a, patient_a, params):
    _other_patient(patient_a.organization, "Zoe", "Zimmer", datetime.date(2001, 1, 1), "Z-1")

    response = api_a.get("/patients", params)

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [str(patient_a.public_id)]
    assert body["total"] == 1


def test_search_pages_through_results_in_name_order(api_a, org_a):
    for index, family in enumerate(["Cole", "Able", "Baker"]):
        _other_patient(org_a, "Sam", family, datetime.date(1990, 1, 1), f"P-{index}")

    first = api_a.get("/patients", {"name": "sam", "limit": 2}).json()
    second = api_a.get("/patients", {"name": "sam", "limit": 2, "offset": 2}).json()

    assert [p["family_name"] for p in first["items"]] == ["Able", "Baker"]
    assert [p["family_name"] for p in second["items"]] == ["Cole"]
    assert first["total"] == second["total"] == 3


def test_search_runs_a_fixed_number_of_queries(api_a, org_a, patient_a):
    one = queries_for(lambda: api_a.get("/patients"))
    _other_patient(org_a, "Sam", "Able", datetime.date(1990, 1, 1), "P-1")

    assert queries_for(lambda: api_a.get("/patients")) == one


def test_search_reads_the_records_merged_ones_went_into_at_once(api_a, org_a, patient_a):
    merged = [
        _other_patient(org_a, "Sam", family, datetime.date(1990, 1, 1), f"P-{family}")
        for family in ("Able", "Baker")
    ]
    patient_merge(duplicate=merged[0], keep=patient_a, actor=None)
    one = queries_for(lambda: api_a.get("/patients"))
    patient_merge(duplicate=merged[1], keep=patient_a, actor=None)

    found = api_a.get("/patients").json()["items"]

    assert queries_for(lambda: api_a.get("/patients")) == one
    assert [p["merged_into"]["mrn"] for p in found if p["merged_into"]] == ["A-1001", "A-1001"]


def test_search_never_shows_another_organizations_patients(api_b, patient_a):
    response = api_b.get("/patients", {"q": "alvarez"})

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_search_rejects_a_limit_out_of_range_naming_it(api_a):
    response = api_a.get("/patients", {"limit": 1000})

    assert response.status_code == 400
    assert response.json()["field"] == "limit"


def test_read_returns_the_patient_and_audits_the_token(api_a, patient_a, token_a):
    response = api_a.get(f"/patients/{patient_a.public_id}")

    assert response.status_code == 200
    assert response.json()["mrn"] == "A-1001"
    assert response.json()["phone_mobile"] == "+16175550101"
    entry = AuditEntry.objects.filter(patient_ref=str(patient_a.public_id), action="read").get()
    assert entry.token_id == ApiToken.objects.get(prefix=token_a[:12]).id


def test_read_of_another_organizations_patient_is_not_found(api_b, patient_a):
    response = api_b.get(f"/patients/{patient_a.public_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_read_with_a_malformed_id_names_the_field(api_a):
    response = api_a.get("/patients/not-a-uuid")

    assert response.status_code == 400
    assert response.json()["field"] == "patient_id"


def test_create_registers_the_patient(api_a, org_a):
    response = api_a.post("/patients", NEW_PATIENT)

    assert response.status_code == 201
    body = response.json()
    assert body["phone_mobile"] == "+16175550188"
    assert body["mrn"]
    assert body["version"] == 1
    assert api_a.get(f"/patients/{body['id']}").status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": ""}, "given_name"),
        ({"birth_date": "17/05/1980"}, "birth_date"),
        ({"sex": "robot"}, "sex"),
        ({"shoe_size": 42}, "shoe_size"),
        ({"phone_mobile": "call me"}, "phone_mobile"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
    ],
)
def test_create_names_the_bad_field_and_why(api_a, change, field):
    response = api_a.post("/patients", NEW_PATIENT | change)

    assert response.status_code == 400
    problem = response.json()
    assert problem["field"] == field
    assert problem["message"].startswith(f"{field}: ")
    assert len(problem["message"]) > len(field) + 2


def test_create_lists_every_missing_field(api_a):
    response = api_a.post("/patients", {"given_name": "Only"})

    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"family_name", "birth_date"}


def test_create_lists_every_field_the_rules_refuse(api_a):
    response = api_a.post(
        "/patients", NEW_PATIENT | {"phone_mobile": "call me", "birth_date": "2999-01-01"}
    )

    assert response.status_code == 400
    problem = response.json()
    assert problem["field"] == "phone_mobile"
    assert [e["field"] for e in problem["errors"]] == ["phone_mobile", "birth_date"]
    assert all(e["message"].startswith(f"{e['field']}: ") for e in problem["errors"])


def test_create_with_a_used_mrn_is_a_conflict(api_a, patient_a):
    response = api_a.post("/patients", NEW_PATIENT | {"mrn": "A-1001"})

    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "field": "mrn",
        "message": "mrn: 'A-1001' is already in use",
    }


def test_update_changes_the_fields_sent_and_bumps_the_version(api_a, patient_a):
    response = api_a.patch(
        f"/patients/{patient_a.public_id}", {"version": 1, "email": "new@example.org"}
    )

    assert response.status_code == 200
    assert response.json()["email"] == "new@example.org"
    assert response.json()["given_name"] == "José"
    assert response.json()["version"] == 2


def test_update_from_a_stale_version_is_refused(api_a, patient_a):
    api_a.patch(f"/patients/{patient_a.public_id}", {"version": 1, "city": "Quincy"})

    response = api_a.patch(f"/patients/{patient_a.public_id}", {"version": 1, "city": "Lynn"})

    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    assert response.json()["field"] == "version"
    assert api_a.get(f"/patients/{patient_a.public_id}").json()["city"] == "Quincy"


def test_update_to_a_used_mrn_is_a_conflict(api_a, patient_a, org_a):
    other = _other_patient(org_a, "Sam", "Able", datetime.date(1990, 1, 1), "P-9")

    response = api_a.patch(f"/patients/{other.public_id}", {"version": 1, "mrn": "A-1001"})

    assert response.status_code == 409
    assert response.json()["field"] == "mrn"


def test_update_without_a_version_names_the_field(api_a, patient_a):
    response = api_a.patch(f"/patients/{patient_a.public_id}", {"city": "Lynn"})

    assert response.status_code == 400
    assert response.json()["field"] == "version"


def test_update_of_another_organizations_patient_is_not_found(api_b, patient_a):
    response = api_b.patch(f"/patients/{patient_a.public_id}", {"version": 1, "city": "Lynn"})

    assert response.status_code == 404


@pytest.fixture
def duplicate_a(org_a):
    """José registered again, with a home phone the first record lacks."""
    return patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "Jose",
            "family_name": "Alvarez",
            "birth_date": datetime.date(1980, 5, 17),
            "phone_home": "+1 617 555 0144",
            "mrn": "A-2002",
        },
    )


def test_merge_folds_the_duplicate_into_the_record_and_answers_it(api_a, patient_a, duplicate_a):
    response = api_a.post(
        f"/patients/{patient_a.public_id}/merge",
        {"duplicate": str(duplicate_a.public_id), "reason": "registered twice"},
    )

    assert response.status_code == 200, response.content
    kept = response.json()
    assert (kept["id"], kept["phone_home"], kept["version"]) == (
        str(patient_a.public_id),
        "+16175550144",
        2,
    )
    duplicate_a.refresh_from_db()
    assert duplicate_a.merged_into == patient_a and not duplicate_a.active


def test_a_merged_record_says_which_record_it_went_into(api_a, patient_a, duplicate_a):
    assert api_a.get(f"/patients/{duplicate_a.public_id}").json()["merged_into"] is None
    api_a.post(f"/patients/{patient_a.public_id}/merge", {"duplicate": str(duplicate_a.public_id)})

    merged = api_a.get(f"/patients/{duplicate_a.public_id}").json()

    assert merged["merged_into"] == {
        "id": str(patient_a.public_id),
        "mrn": "A-1001",
        "display_name": "José Álvarez",
    }
    assert merged["active"] is False


def test_unmerge_gives_the_record_back_its_own_and_answers_it(api_a, patient_a, duplicate_a):
    api_a.post(f"/patients/{patient_a.public_id}/merge", {"duplicate": str(duplicate_a.public_id)})

    response = api_a.post(f"/patients/{duplicate_a.public_id}/unmerge", {"reason": "twins"})

    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["active"]) == (str(duplicate_a.public_id), True)
    patient_a.refresh_from_db()
    assert patient_a.phone_home == "" and duplicate_a.merges.get().undo_reason == "twins"


def test_a_merged_record_cannot_be_made_active_without_undoing_the_merge(
    api_a, patient_a, duplicate_a
):
    api_a.post(f"/patients/{patient_a.public_id}/merge", {"duplicate": str(duplicate_a.public_id)})
    version = api_a.get(f"/patients/{duplicate_a.public_id}").json()["version"]

    response = api_a.patch(
        f"/patients/{duplicate_a.public_id}", {"version": version, "active": True}
    )

    assert response.status_code == 409, response.content
    assert response.json()["field"] == "active"
    assert "merged into José Álvarez (A-1001); undo the merge first" in response.json()["message"]
    duplicate_a.refresh_from_db()
    assert (duplicate_a.active, duplicate_a.merged_into, duplicate_a.version) == (
        False,
        patient_a,
        version,
    )


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("{keep}/merge", {"duplicate": "{stranger}"}, 404, "duplicate"),
        ("{keep}/merge", {"duplicate": "{keep}"}, 400, "duplicate"),
        ("{keep}/merge", {}, 400, "duplicate"),
        ("{keep}/unmerge", {}, 409, "duplicate"),
        ("{stranger}/unmerge", {}, 404, None),
    ],
)
def test_merges_the_rules_refuse_name_the_field(
    api_a, patient_a, patient_b, path, body, status, field
):
    ids = {"keep": patient_a.public_id, "stranger": patient_b.public_id}
    body = {name: value.format(**ids) for name, value in body.items()}

    response = api_a.post("/patients/" + path.format(**ids), body)

    assert response.status_code == status, response.content
    assert response.json()["field"] == field


def test_merging_needs_a_role_that_changes_records(clinician_a, patient_a, duplicate_a):
    clinician = ApiClient(token_issue(user=clinician_a)[1])

    response = clinician.post(
        f"/patients/{patient_a.public_id}/merge", {"duplicate": str(duplicate_a.public_id)}
    )

    assert response.status_code == 403
    assert Patient.objects.get(pk=duplicate_a.pk).merged_into is None


def test_create_and_update_refuse_a_country_that_is_not_an_iso_code(api_a, patient_a):
    created = api_a.post("/patients", NEW_PATIENT | {"country": "XX"})
    updated = api_a.patch(f"/patients/{patient_a.public_id}", {"country": "XX", "version": 1})

    for response in (created, updated):
        assert response.status_code == 400
        assert response.json()["field"] == "country"
    patient_a.refresh_from_db()
    assert patient_a.country == "US"
