"""FHIR's rules for combining search values, for every parameter of every resource served:
a parameter given again is one more criterion that a match meets (AND), and the
comma-separated alternatives of one value are met by matching any of them (OR)."""

import datetime
import uuid
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from carebridge.directory.selectors import practitioner_role_list
from carebridge.directory.services import location_create
from carebridge.fhir_api.interactions.patient import HANDLER as PATIENT
from carebridge.fhir_api.resources.schedule import schedule_id
from carebridge.fhir_api.search import search_request, split_token
from carebridge.fhir_api.tests.fhir_http import MONDAY, at, outcome_issue, validated
from carebridge.patients.services import patient_create
from carebridge.scheduling.services.appointments import appointment_book

GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    bundle = validated(response.json())
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


@pytest.fixture
def two(org_a, patient_a):
    """José Álvarez (male, born 1980, MRN A-1001) and Greta Zimmer (female, born 1960, lab
    id Z-9, phone 617 555 0199): the matches of each search are named by their initial."""
    zimmer = patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "Greta",
            "family_name": "Zimmer",
            "birth_date": datetime.date(1960, 1, 1),
            "sex": "female",
            "phone_mobile": "+1 617 555 0199",
            "email": "greta@example.org",
        },
        identifiers=[("urn:example:lab", "Z-9")],
    )
    return SimpleNamespace(greta=zimmer, a=str(patient_a.public_id), z=str(zimmer.public_id))


def patients(fhir, params: dict, two) -> str:
    """The initials of the patients found, in name order ("" for none)."""
    names = {two.a: "a", two.z: "z"}
    return "".join(names[found] for found in ids(fhir.get("Patient", params)))


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"family": ["zim", "alv"]}, ""),
        ({"family": ["zi", "zimm"]}, "z"),
        ({"given": ["gre", "jos"]}, ""),
        ({"given": ["g", "greta"]}, "z"),
        ({"name": ["greta", "jose"]}, ""),
        ({"name": ["greta", "zimmer"]}, "z"),
        ({"phone": ["6175550199", "6175550101"]}, ""),
        ({"phone": ["617", "6175550199"]}, "z"),
        ({"email": ["greta@example.org", "jose@example.org"]}, ""),
        ({"email": ["greta@example.org", "GRETA@example.org"]}, "z"),
        ({"identifier": ["A-1001", "urn:example:lab|Z-9"]}, ""),
        ({"identifier": ["Z-9", "urn:example:lab|Z-9"]}, "z"),
        ({"gender": ["male", "female"]}, ""),
        ({"gender": ["female", f"{GENDER_SYSTEM}|female"]}, "z"),
        ({"birthdate": ["1980-05-17", "1960-01-01"]}, ""),
        ({"birthdate": ["1960-01-01", "eq1960-01-01"]}, "z"),
    ],
)
def test_a_repeated_patient_parameter_must_match_each_time(fhir_a, two, params, found):
    assert patients(fhir_a, params, two) == found


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"family": "zim,alv"}, "az"),
        ({"given": "gre,jos"}, "az"),
        ({"name": "greta,jose"}, "az"),
        ({"phone": "6175550199,6175550101"}, "az"),
        ({"email": "greta@example.org,nobody@example.org"}, "z"),
        ({"identifier": "A-1001,urn:example:lab|Z-9"}, "az"),
        ({"gender": "male,female"}, "az"),
        ({"gender": f"{GENDER_SYSTEM}|female,other"}, "z"),
        ({"birthdate": "1980-05-17,1960-01-01"}, "az"),
        ({"family": "zim,alv", "gender": "female"}, "z"),
        ({"family": ["zim,alv", "alv,nobody"]}, "a"),
        ({"family": " ,zim"}, "z"),
    ],
)
def test_comma_separated_patient_alternatives_match_any_of_them(fhir_a, two, params, found):
    assert patients(fhir_a, params, two) == found


def test_ids_are_alternatives_when_comma_separated_and_both_required_when_repeated(fhir_a, two):
    assert patients(fhir_a, {"_id": f"{two.a},{two.z}"}, two) == "az"
    assert patients(fhir_a, {"_id": f"{two.z},not-an-id"}, two) == "z"
    assert patients(fhir_a, {"_id": [two.a, two.z]}, two) == ""
    assert patients(fhir_a, {"_id": [two.z, two.z.upper()]}, two) == "z"


def test_each_alternative_is_validated_and_a_bad_one_refuses_the_search(fhir_a, two):
    response = fhir_a.get("Patient", {"birthdate": "1960-01-01,ge1980-01-01"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["birthdate"]


def test_an_unknown_code_among_alternatives_matches_nothing_and_is_reported(fhir_a, two):
    response = fhir_a.get("Patient", {"gender": "female,robot"})

    bundle = validated(response.json())
    assert ids(response) == [two.z]
    [outcome] = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert [issue["code"] for issue in outcome["issue"]] == ["code-invalid"]
    assert "'robot'" in outcome["issue"][0]["diagnostics"]


def test_an_unknown_code_among_alternatives_is_refused_under_strict_handling(fhir_a, two):
    response = fhir_a.get("Patient", {"gender": "female,robot"}, Prefer="handling=strict")

    assert response.status_code == 400
    issue = outcome_issue(response)
    assert issue["expression"] == ["gender"]
    assert "'robot' is not one of" in issue["diagnostics"]


def test_paging_links_repeat_each_value_as_sent(fhir_a, two):
    params = {"family": ["zim\\,x,zi", "z"], "gender": "female", "_count": "1"}

    bundle = validated(fhir_a.get("Patient", params).json())

    [self_link] = [link["url"] for link in bundle["link"] if link["relation"] == "self"]
    assert "family=zim%5C%2Cx%2Czi&family=z&gender=female" in self_link


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("family=a,b", ((("a", "b"),))),
        ("family=a&family=b", ((("a",), ("b",)))),
        ("family=a\\,b", ((("a,b",),))),
        ("family=a\\\\,b", ((("a\\", "b"),))),
        ("family=a\\$b\\|c", ((("a$b|c",),))),
        ("family=a,,b,", ((("a", "b"),))),
        ("family=,&family=c", ((("c",),))),
        ("family=%20,c&family=%20", ((("c",),))),
        ("gender=male,http://hl7.org/fhir/administrative-gender|female", ((("male", "female"),))),
    ],
)
def test_a_value_is_split_into_alternatives_at_commas_no_backslash_escapes(query, expected):
    request = search_request(QueryDict(query), PATIENT.search_params, strict=True)

    name = query.split("=")[0]
    assert request.criteria(name) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("urn:example:lab|Z\\|9", ("urn:example:lab", "Z|9")),
        ("Z\\|9", (None, "Z|9")),
        ("Z\\\\|9", ("Z\\", "9")),
        ("Z\\,9\\$", (None, "Z,9$")),
        ("urn:example:lab|Z|9", ("urn:example:lab", "Z|9")),
    ],
)
def test_a_token_has_its_system_up_to_the_first_bar_no_backslash_escapes(token, expected):
    request = search_request(
        QueryDict(urlencode({"identifier": token})), PATIENT.search_params, strict=True
    )

    [[alternative]] = request.criteria("identifier")
    assert split_token(alternative) == expected


def test_an_escaped_bar_is_part_of_an_identifier(fhir_a, two):
    barred = patient_create(
        organization=two.greta.organization,
        actor=None,
        fields={"given_name": "Bo", "family_name": "Barr", "birth_date": datetime.date(1990, 1, 1)},
        identifiers=[("urn:example:lab", "Z|9")],
    )

    for token in ("urn:example:lab|Z\\|9", "Z\\|9"):
        assert ids(fhir_a.get("Patient", {"identifier": token})) == [str(barred.public_id)]


@pytest.fixture
def visits(clinic_a, two, booked):
    """Two visits: José's on Monday 10:00 (booked) and Greta's on Wednesday 10:00."""
    wednesday = appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=two.greta,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=clinic_a.visit_type,
        start=at(MONDAY + datetime.timedelta(days=2), 10),
    )
    return SimpleNamespace(a=str(booked.public_id), z=str(wednesday.public_id))


def appointments(fhir, params: dict, visits) -> str:
    names = {visits.a: "a", visits.z: "z"}
    return "".join(names[found] for found in ids(fhir.get("Appointment", params)))


@pytest.mark.usefixtures("monday_morning")
@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"date": ["ge2030-03-04", "lt2030-03-05"]}, "a"),
        ({"date": ["ge2030-03-05", "lt2030-03-05"]}, ""),
        ({"date": "2030-03-04,2030-03-06"}, "az"),
        ({"date": ["2030-03-04,2030-03-06", "ge2030-03-05"]}, "z"),
        ({"status": ["booked", "cancelled"]}, ""),
        ({"status": "booked,cancelled"}, "az"),
        # :not is any other status; given with the status, both hold.
        ({"status:not": "cancelled"}, "az"),
        ({"status:not": "booked"}, ""),
        ({"status:not": "noshow,cancelled"}, "az"),
        ({"status": "booked", "status:not": "cancelled"}, "az"),
        ({"status": "booked", "status:not": "booked"}, ""),
    ],
)
def test_appointment_dates_and_statuses_combine(fhir_a, visits, params, found):
    assert appointments(fhir_a, params, visits) == found


@pytest.mark.usefixtures("monday_morning")
def test_appointment_references_combine(fhir_a, visits, two, patient_b, clinic_a):
    jose, greta = f"Patient/{two.a}", f"Patient/{two.z}"
    elsewhere = f"Patient/{patient_b.public_id}"
    practitioner = f"Practitioner/{clinic_a.practitioner.public_id}"

    assert appointments(fhir_a, {"patient": f"{jose},{greta}"}, visits) == "az"
    assert appointments(fhir_a, {"patient": [jose, greta]}, visits) == ""
    assert appointments(fhir_a, {"patient": [jose, jose.removeprefix("Patient/")]}, visits) == "a"
    assert appointments(fhir_a, {"patient": f"{elsewhere},{greta}"}, visits) == "z"
    assert appointments(fhir_a, {"practitioner": [practitioner, practitioner]}, visits) == "az"
    assert appointments(fhir_a, {"_id": f"{visits.a},{visits.z}"}, visits) == "az"
    assert appointments(fhir_a, {"_id": [visits.a, visits.z]}, visits) == ""


@pytest.mark.usefixtures("monday_morning")
def test_a_reference_to_another_type_among_alternatives_is_refused(fhir_a, visits, two):
    response = fhir_a.get("Appointment", {"patient": f"Patient/{two.a},Practitioner/{two.z}"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["patient"]


@pytest.mark.usefixtures("monday_morning")
def test_an_unknown_status_among_alternatives_is_reported_and_the_others_still_match(
    fhir_a, visits
):
    response = fhir_a.get("Appointment", {"status": "booked,bogus"})

    assert appointments(fhir_a, {"status": "booked,bogus"}, visits) == "az"
    outcomes = [e for e in response.json()["entry"] if e["search"]["mode"] == "outcome"]
    assert outcomes[0]["resource"]["issue"][0]["expression"] == ["status"]


def test_directory_searches_combine(fhir_a, clinic_a):
    practitioner = f"Practitioner/{clinic_a.practitioner.public_id}"
    location = f"Location/{clinic_a.location.public_id}"
    elsewhere = f"Location/{uuid.uuid4()}"
    role = str(practitioner_role_list(organization=clinic_a.organization)[0].public_id)

    def found(resource_type: str, params: dict) -> int:
        return len(ids(fhir_a.get(resource_type, params)))

    assert found("Practitioner", {"name": ["ana", "okafor"]}) == 1
    assert found("Practitioner", {"name": ["ana", "smith"]}) == 0
    assert found("Practitioner", {"name": "smith,okafor"}) == 1
    assert found("Practitioner", {"_id": [str(uuid.uuid4()), str(uuid.uuid4())]}) == 0
    assert found("PractitionerRole", {"specialty": "cardio,fm"}) == 1
    assert found("PractitionerRole", {"specialty": ["cardio", "fm"]}) == 0
    assert found("PractitionerRole", {"location": f"{elsewhere},{location}"}) == 1
    assert found("PractitionerRole", {"_id": [role, role], "practitioner": practitioner}) == 1
    assert found("Schedule", {"actor": [practitioner, location]}) == 1
    assert found("Schedule", {"actor": [practitioner, elsewhere]}) == 0
    assert found("Schedule", {"actor": f"{elsewhere},{location}"}) == 1
    assert found("Location", {"name": ["clinic", "nowhere"]}) == 0
    assert found("Location", {"name": "nowhere,clinic a"}) == 1
    assert found("Organization", {"name": ["clinic", "nowhere"]}) == 0
    assert found("Organization", {"name": "nowhere,clinic a"}) == 1


def test_a_practitioner_role_search_refuses_a_reference_to_another_type(fhir_a, clinic_a):
    response = fhir_a.get("PractitionerRole", {"location": f"Practitioner/{uuid.uuid4()}"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["location"]


def test_an_escaped_comma_is_part_of_the_name(fhir_a, clinic_a):
    north = location_create(
        organization=clinic_a.organization,
        name="Clinic A, North",
        timezone="America/New_York",
    )

    assert ids(fhir_a.get("Location", {"name": "clinic a\\, n"})) == [str(north.public_id)]
    assert len(ids(fhir_a.get("Location", {"name": "clinic a, n"}))) == 2


@pytest.mark.usefixtures("monday_morning")
def test_slot_criteria_combine(fhir_a, clinic_a):
    schedule = f"Schedule/{schedule_id(clinic_a.practitioner, clinic_a.location)}"
    day = {"start": ["ge2030-03-04", "lt2030-03-05"], "_count": "0"}

    def total(params: dict) -> int:
        return validated(fhir_a.get("Slot", {**day, **params}).json())["total"]

    free = total({"status": "free"})
    assert free > 0
    assert total({"status": ["free", "busy"]}) == 0
    assert total({"status": ["free", "free"]}) == free
    assert total({"status:not": "busy"}) == free
    assert total({"status:not": "free,busy"}) == 0
    assert total({"schedule": [schedule, schedule]}) == free
    assert total({"schedule": [schedule, f"Schedule/{uuid.uuid4()}"]}) == 0
    assert total({"schedule": f"Schedule/{uuid.uuid4()},{schedule}"}) == free
    assert total({"service-type": "none,follow-up"}) == free
    assert total({"service-type": ["none", "follow-up"]}) == 0


@pytest.mark.usefixtures("monday_morning")
def test_slot_start_takes_no_alternatives(fhir_a, clinic_a):
    response = fhir_a.get("Slot", {"start": "ge2030-03-04,lt2030-03-05"})

    assert response.status_code == 400
    issue = outcome_issue(response)
    assert issue["expression"] == ["start"]
    assert "not alternatives" in issue["diagnostics"]


@pytest.fixture
def unreachable(org_a):
    """Una Solo: no email, no phone."""
    patient = patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "Una",
            "family_name": "Solo",
            "birth_date": datetime.date(1990, 2, 3),
        },
    )
    return str(patient.public_id)


@pytest.mark.parametrize("contact", ["email", "phone"])
def test_missing_finds_the_records_without_a_way_to_reach_the_patient(
    fhir_a, two, unreachable, contact
):
    without = ids(fhir_a.get("Patient", {f"{contact}:missing": "true"}))
    with_one = ids(fhir_a.get("Patient", {f"{contact}:missing": "false", "family": "zim"}))

    assert without == [unreachable]
    assert with_one == [two.z]


def test_missing_takes_only_true_or_false(fhir_a, two):
    response = fhir_a.get("Patient", {"email:missing": "maybe"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["email:missing"]


def test_missing_is_refused_where_a_value_is_always_there(fhir_a, two):
    response = fhir_a.get("Patient", {"family:missing": "true"}, Prefer="handling=strict")

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["family:missing"]
