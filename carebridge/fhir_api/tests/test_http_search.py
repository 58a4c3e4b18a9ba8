import datetime
from urllib.parse import urlsplit

import pytest

from carebridge.core.db import LARGEST_OFFSET
from carebridge.core.errors import InvalidInput
from carebridge.fhir_api.search import start_bounds
from carebridge.fhir_api.tests.fhir_http import BOSTON, FhirClient, outcome_issue, validated
from carebridge.patients.services import patient_create


@pytest.fixture
def patients_a(org_a) -> list[str]:
    """25 patients named Page00..Page24 in clinic A; their ids in name order."""
    return [
        str(
            patient_create(
                organization=org_a,
                actor=None,
                fields={
                    "given_name": "Pat",
                    "family_name": f"Page{number:02d}",
                    "birth_date": datetime.date(1990, 1, 1),
                },
            ).public_id
        )
        for number in range(25)
    ]


def follow(fhir: FhirClient, url: str):
    parts = urlsplit(url)
    return fhir.client.get(f"{parts.path}?{parts.query}", headers=fhir.headers)


def links(bundle: dict) -> dict[str, str]:
    return {link["relation"]: link["url"] for link in bundle["link"]}


def test_next_and_previous_links_walk_every_match_exactly_once(fhir_a, patients_a):
    first = validated(fhir_a.get("Patient", {"family": "page", "_count": "10"}).json())
    second = validated(follow(fhir_a, links(first)["next"]).json())
    third = validated(follow(fhir_a, links(second)["next"]).json())
    back = validated(follow(fhir_a, links(second)["previous"]).json())

    pages = [[e["resource"]["id"] for e in bundle["entry"]] for bundle in (first, second, third)]
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [id_ for page in pages for id_ in page] == patients_a
    assert {bundle["total"] for bundle in (first, second, third)} == {25}
    assert "previous" not in links(first)
    assert "next" not in links(third)
    assert [e["resource"]["id"] for e in back["entry"]] == pages[0]
    assert links(first)["self"].startswith("http://testserver/fhir/Patient?family=page")


def test_count_defaults_to_20_and_is_capped_at_100(fhir_a, patients_a):
    default = fhir_a.get("Patient").json()
    huge = fhir_a.get("Patient", {"_count": "5000"}).json()

    assert len(default["entry"]) == 20
    assert "_count=20" in links(default)["self"]
    assert len(huge["entry"]) == 25
    assert "_count=100" in links(huge)["self"]


def test_count_zero_gives_only_the_total(fhir_a, patients_a):
    bundle = validated(fhir_a.get("Patient", {"_count": "0"}).json())

    assert bundle["total"] == 25
    assert "entry" not in bundle


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"_count": "-1"}, "_count"),
        ({"_count": "²"}, "_count"),  # a digit to str.isdigit(), not to int()
        ({"_offset": str(LARGEST_OFFSET + 1)}, "_offset"),
        ({"_offset": str(2**70)}, "_offset"),
    ],
)
def test_bad_paging_values_are_refused(fhir_a, org_a, params, parameter):
    response = fhir_a.get("Patient", params)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == [parameter]


@pytest.mark.parametrize("resource_type", ["Patient", "Practitioner", "Appointment", "Location"])
def test_the_furthest_page_is_empty(fhir_a, patients_a, resource_type):
    bundle = validated(fhir_a.get(resource_type, {"_offset": str(LARGEST_OFFSET)}).json())

    assert "entry" not in bundle


def test_unknown_parameter_is_ignored_and_reported_under_lenient_handling(fhir_a, patients_a):
    response = fhir_a.get("Patient", {"family": "page00", "shoe-size": "42"})

    bundle = validated(response.json())
    assert response.status_code == 200
    matches = [e for e in bundle["entry"] if e["search"]["mode"] == "match"]
    outcomes = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert [e["resource"]["id"] for e in matches] == patients_a[:1]
    assert outcomes[0]["resource"]["issue"][0]["expression"] == ["shoe-size"]
    assert outcomes[0]["resource"]["issue"][0]["severity"] == "warning"
    assert "shoe-size" not in links(bundle)["self"]


def test_unknown_parameter_is_refused_under_strict_handling(fhir_a, patients_a):
    response = fhir_a.get(
        "Patient", {"family": "page00", "shoe-size": "42"}, Prefer="handling=strict"
    )

    assert response.status_code == 400
    issue = outcome_issue(response)
    assert issue["expression"] == ["shoe-size"]
    assert "shoe-size" in issue["diagnostics"]


def test_a_modifier_a_parameter_does_not_take_is_an_unknown_parameter(fhir_a, patients_a):
    lenient = validated(fhir_a.get("Patient", {"family:below": "page00"}).json())
    strict = fhir_a.get("Patient", {"family:below": "page00"}, Prefer="handling=strict")

    assert lenient["total"] == len(patients_a)
    outcome = next(e for e in lenient["entry"] if e["search"]["mode"] == "outcome")
    assert outcome["resource"]["issue"][0]["expression"] == ["family:below"]
    assert strict.status_code == 400
    assert outcome_issue(strict)["expression"] == ["family:below"]


@pytest.mark.parametrize("name", ["family:", "family:exact:contains", "birthdate:not"])
def test_a_modifier_not_taken_or_left_blank_is_refused_under_strict_handling(
    fhir_a, patients_a, name
):
    response = fhir_a.get("Patient", {name: "page00"}, Prefer="handling=strict")

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == [name]


def test_an_unknown_code_under_not_is_said_to_rule_nothing_out(fhir_a, patients_a):
    bundle = validated(fhir_a.get("Patient", {"gender:not": "bogus", "_count": 0}).json())

    assert bundle["total"] == len(patients_a)
    [issue] = bundle["entry"][-1]["resource"]["issue"]
    assert issue["expression"] == ["gender:not"]
    assert issue["diagnostics"].endswith(
        "'bogus' is not one of female, male, other, unknown; it rules nothing out"
    )


def test_a_modifier_stays_in_the_paging_links(fhir_a, patients_a):
    bundle = validated(fhir_a.get("Patient", {"family:contains": "page", "_count": 2}).json())

    assert bundle["total"] == len(patients_a)
    assert "family%3Acontains=page" in links(bundle)["next"]


def test_known_parameters_pass_under_strict_handling(fhir_a, patients_a):
    response = fhir_a.get("Patient", {"family": "page00"}, Prefer="handling=strict")

    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_other_organization_sees_none_of_them(token_b, patients_a):
    bundle = validated(FhirClient(token_b).get("Patient", {"family": "page"}).json())

    assert bundle["total"] == 0
    assert "entry" not in bundle


def boston(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=BOSTON)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2030-03-04"], (boston(2030, 3, 4), boston(2030, 3, 5))),
        (["eq2030-03"], (boston(2030, 3, 1), boston(2030, 4, 1))),
        (["ge2030"], (boston(2030, 1, 1), None)),
        (["gt2030-12-31"], (boston(2031, 1, 1), None)),
        (["le2030-03-04"], (None, boston(2030, 3, 5))),
        (["lt2030-03-04"], (None, boston(2030, 3, 4))),
        (
            ["ge2030-03-01", "lt2030-03-04", "ge2030-03-02"],
            (boston(2030, 3, 2), boston(2030, 3, 4)),
        ),
        (
            ["ge2030-03-04T10:00:00Z"],
            (datetime.datetime(2030, 3, 4, 10, tzinfo=datetime.UTC), None),
        ),
        (
            ["ge2030-03-04T10:00:00 05:00"],
            (datetime.datetime.fromisoformat("2030-03-04T10:00:00+05:00"), None),
        ),
    ],
)
def test_date_values_become_start_bounds(values, expected):
    assert start_bounds(values, zone=BOSTON, field="date") == expected


@pytest.mark.parametrize("value", ["ap2030-03-04", "2030-13-01", "yesterday", "ge2030-3-4"])
def test_bad_date_values_name_the_parameter(value):
    with pytest.raises(InvalidInput) as error:
        start_bounds([value], zone=BOSTON, field="date")

    assert error.value.field == "date"


@pytest.mark.parametrize(
    "value", ["ge0001-01-01", "lt1899-12-31T23:00:00Z", "gt9999-12-31", "3000"]
)
def test_a_date_outside_the_searchable_years_is_refused_saying_so(value):
    with pytest.raises(InvalidInput) as error:
        start_bounds([value], zone=BOSTON, field="date")

    assert error.value.message == (
        f"date: {value!r} is outside the years 1900 to 2999 that can be searched"
    )


@pytest.mark.parametrize(
    ("resource_type", "parameter"), [("Slot", "start"), ("Appointment", "date")]
)
def test_a_search_from_the_first_year_python_knows_is_a_bad_request(
    fhir_a, org_a, resource_type, parameter
):
    response = fhir_a.get(resource_type, {parameter: "ge0001-01-01"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == [parameter]


GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender"


@pytest.mark.parametrize(
    ("resource_type", "params", "parameter"),
    [
        ("Appointment", {"status": "bogus"}, "status"),
        ("Appointment", {"status": "booked,bogus"}, "status"),
        ("Patient", {"gender": "robot"}, "gender"),
        ("Patient", {"gender": "urn:example:sexes|male"}, "gender"),
        ("Slot", {"status": "bogus"}, "status"),
    ],
)
def test_an_unknown_code_is_refused_under_strict_handling(
    fhir_a, clinic_a, resource_type, params, parameter
):
    response = fhir_a.get(resource_type, params, Prefer="handling=strict")

    assert response.status_code == 400
    issue = outcome_issue(response)
    assert issue["expression"] == [parameter]
    assert "is not one of" in issue["diagnostics"]


def test_an_unknown_code_matches_nothing_and_is_reported_under_lenient_handling(fhir_a, patient_a):
    response = fhir_a.get("Patient", {"gender": "robot"})

    bundle = validated(response.json())
    assert response.status_code == 200
    assert bundle["total"] == 0
    [outcome] = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert outcome["issue"][0]["code"] == "code-invalid"
    assert outcome["issue"][0]["expression"] == ["gender"]


@pytest.mark.parametrize("gender", ["male", f"{GENDER_SYSTEM}|male"])
def test_gender_may_name_its_code_system(fhir_a, patient_a, gender):
    bundle = fhir_a.get("Patient", {"gender": gender}, Prefer="handling=strict").json()

    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [str(patient_a.public_id)]


@pytest.mark.usefixtures("monday_morning")
@pytest.mark.parametrize(
    "status",
    ["cancelled,booked", "http://hl7.org/fhir/appointmentstatus|booked"],
)
def test_appointment_status_takes_alternatives_and_its_code_system(fhir_a, booked, status):
    bundle = fhir_a.get("Appointment", {"status": status}, Prefer="handling=strict").json()

    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [str(booked.public_id)]


@pytest.mark.usefixtures("monday_morning")
def test_slot_status_takes_alternatives_and_its_code_system(fhir_a, clinic_a):
    day = {"start": ["ge2030-03-04", "lt2030-03-05"], "_count": "0"}

    both = fhir_a.get("Slot", {**day, "status": "free,busy"}, Prefer="handling=strict")
    free = fhir_a.get("Slot", {**day, "status": "http://hl7.org/fhir/slotstatus|free"})

    assert both.json()["total"] == free.json()["total"] > 0


def test_a_search_can_be_posted_as_a_form(fhir_a, patients_a):
    posted = fhir_a.post_form("Patient/_search", "family=page0&_count=3")
    with_url = fhir_a.post_form("Patient/_search?given=pat", "family:exact=Page01")

    bundle = validated(posted.json())
    assert posted.status_code == 200
    assert [e["resource"]["id"] for e in bundle["entry"]] == patients_a[:3]
    assert bundle["total"] == 10
    assert "family=page0" in links(bundle)["next"]
    assert [e["resource"]["id"] for e in with_url.json()["entry"]] == patients_a[1:2]


def test_a_posted_search_is_refused_like_a_search(fhir_a, patients_a):
    as_json = fhir_a.post("Patient/_search", {"family": "page00"})
    strict = fhir_a.post_form("Patient/_search", "shoe-size=42", Prefer="handling=strict")
    fetched = fhir_a.get("Patient/_search", {"family": "page00"})
    anonymous = FhirClient(None).post_form("Patient/_search", "family=page00")

    assert as_json.status_code == 415
    assert outcome_issue(as_json)["expression"] == ["Content-Type"]
    assert outcome_issue(as_json)["code"] == "not-supported"
    assert strict.status_code == 400
    assert outcome_issue(strict)["expression"] == ["shoe-size"]
    assert fetched.status_code == 405 and fetched["Allow"] == "POST"
    assert anonymous.status_code == 401


def test_an_oversized_posted_search_is_refused_before_it_is_read(fhir_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = fhir_a.post_form("Patient/_search", "family=" + "a" * 200)

    assert response.status_code == 413
