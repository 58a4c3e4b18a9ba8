from carebridge.fhir_api.resources.schedule import schedule_id, to_fhir_schedule
from carebridge.fhir_api.tests.fhir_http import outcome_issue, validated


def test_schedule_names_practitioner_and_location_under_a_stable_id(clinic_a):
    schedule = validated(to_fhir_schedule(clinic_a.practitioner, clinic_a.location))

    assert schedule["id"] == str(schedule_id(clinic_a.practitioner, clinic_a.location))
    assert schedule["id"] == to_fhir_schedule(clinic_a.practitioner, clinic_a.location)["id"]
    assert [actor["reference"] for actor in schedule["actor"]] == [
        f"Practitioner/{clinic_a.practitioner.public_id}",
        f"Location/{clinic_a.location.public_id}",
    ]
    assert str(clinic_a.practitioner.public_id) not in schedule["id"]


def test_read_and_search_by_actor(fhir_a, clinic_a):
    expected = str(schedule_id(clinic_a.practitioner, clinic_a.location))

    read = fhir_a.get(f"Schedule/{expected}")
    by_practitioner = fhir_a.get(
        "Schedule", {"actor": f"Practitioner/{clinic_a.practitioner.public_id}"}
    )
    by_location = fhir_a.get("Schedule", {"actor": f"Location/{clinic_a.location.public_id}"})

    assert validated(read.json())["id"] == expected
    for response in (by_practitioner, by_location):
        bundle = validated(response.json())
        assert [entry["resource"]["id"] for entry in bundle["entry"]] == [expected]


def test_other_organization_gets_404_and_is_absent_from_search(fhir_a, clinic_a, clinic_b):
    theirs = str(schedule_id(clinic_b.practitioner, clinic_b.location))

    response = fhir_a.get(f"Schedule/{theirs}")
    everything = validated(fhir_a.get("Schedule").json())
    by_their_actor = validated(
        fhir_a.get("Schedule", {"actor": f"Practitioner/{clinic_b.practitioner.public_id}"}).json()
    )

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"
    assert theirs not in [entry["resource"]["id"] for entry in everything["entry"]]
    assert everything["total"] == 1
    assert by_their_actor["total"] == 0


def test_malformed_id_gets_404(fhir_a, clinic_a):
    assert fhir_a.get("Schedule/not-a-schedule").status_code == 404
