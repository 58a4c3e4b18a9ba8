import datetime
from zoneinfo import ZoneInfo

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import Conflict, InvalidFields, InvalidInput
from carebridge.patients.models import Patient
from carebridge.patients.services import patient_check, patient_create, patient_update


def test_patient_create_normalizes_phone_and_folds_names(patient_a):
    assert patient_a.phone_mobile == "+16175550101"
    assert patient_a.search_family == "alvarez"
    assert patient_a.search_given == "jose"
    assert AuditEntry.objects.filter(patient_ref=str(patient_a.public_id), action="create").exists()


def test_patient_create_rejects_duplicate_mrn_in_same_org(org_a, patient_a):
    with pytest.raises(Conflict) as error:
        patient_create(
            organization=org_a,
            actor=None,
            fields={
                "given_name": "X",
                "family_name": "Y",
                "birth_date": datetime.date(2000, 1, 1),
                "mrn": "A-1001",
            },
        )
    assert error.value.field == "mrn"


def test_same_mrn_is_fine_in_another_org(org_b, patient_a):
    other = patient_create(
        organization=org_b,
        actor=None,
        fields={
            "given_name": "X",
            "family_name": "Y",
            "birth_date": datetime.date(2000, 1, 1),
            "mrn": "A-1001",
        },
    )
    assert other.mrn == patient_a.mrn


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone_mobile": "not a phone"}, "phone_mobile"),
        ({"birth_date": datetime.date(2999, 1, 1)}, "birth_date"),
        ({"birth_date": datetime.date(1, 1, 23)}, "birth_date"),  # 2001 with a slip
        ({"email": "nope"}, "email"),
        ({"preferred_language": "xx-!!"}, "preferred_language"),
        ({"preferred_language": "english please"}, "preferred_language"),
        ({"shoe_size": 42}, "shoe_size"),
    ],
)
def test_patient_create_names_the_bad_field(org_a, fields, field):
    base = {"given_name": "X", "family_name": "Y", "birth_date": datetime.date(2000, 1, 1)}
    with pytest.raises(InvalidInput) as error:
        patient_create(organization=org_a, actor=None, fields=base | fields)
    assert error.value.field == field


def test_a_birth_date_longer_ago_than_anyone_has_lived_is_refused(org_a, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC), tick=False)
    fields = {"given_name": "X", "family_name": "Y"}
    oldest = patient_create(
        organization=org_a, actor=None, fields=fields | {"birth_date": datetime.date(1896, 1, 1)}
    )

    with pytest.raises(InvalidInput) as error:
        patient_create(
            organization=org_a,
            actor=None,
            fields=fields | {"birth_date": datetime.date(1895, 12, 31)},
        )

    assert oldest.birth_date.year == 1896
    assert error.value.message == "birth_date: more than 130 years ago; check the year"


@pytest.mark.parametrize("tag", ["en", "es-MX", "zh-Hant-TW", "haw"])
def test_patient_create_takes_language_tags(org_a, tag):
    fields = {"given_name": "X", "family_name": "Y", "birth_date": datetime.date(2000, 1, 1)}
    patient = patient_create(
        organization=org_a, actor=None, fields=fields | {"preferred_language": tag}
    )
    assert patient.preferred_language == tag


def test_patient_create_reports_every_bad_field_at_once_and_writes_nothing(org_a):
    fields = {
        "given_name": "X",
        "family_name": "Y",
        "birth_date": datetime.date(2999, 1, 1),
        "phone_mobile": "12345",
        "email": "nope",
        "timezone": "Mars/Base",
    }
    with pytest.raises(InvalidFields) as error:
        patient_create(organization=org_a, actor=None, fields=fields)
    assert [problem.field for problem in error.value.problems] == [
        "phone_mobile",
        "birth_date",
        "email",
        "timezone",
    ]
    assert error.value.field == "phone_mobile"  # the first stands for all where one is shown
    assert not Patient.objects.filter(organization=org_a).exists()


def test_a_birth_date_of_tomorrow_in_the_clinics_zone_is_in_the_future(org_a, time_machine):
    # given 7:08 PM on 30 November in Boston, already 1 December in UTC
    boston = ZoneInfo("America/New_York")
    time_machine.move_to(datetime.datetime(2026, 11, 30, 19, 8, tzinfo=boston), tick=False)
    fields = {"given_name": "X", "family_name": "Y"}

    with pytest.raises(InvalidInput) as error:
        patient_create(
            organization=org_a,
            actor=None,
            fields=fields | {"birth_date": datetime.date(2026, 12, 1)},
        )
    born_today = patient_create(
        organization=org_a, actor=None, fields=fields | {"birth_date": datetime.date(2026, 11, 30)}
    )

    assert error.value.message == "birth_date: cannot be in the future"
    assert born_today.birth_date == datetime.date(2026, 11, 30)


def test_a_birth_date_of_the_clinics_today_is_taken_while_utc_is_still_yesterday(
    org_a, time_machine
):
    # given 9:30 AM on 1 December in Auckland, still 30 November in UTC
    org_a.timezone = "Pacific/Auckland"
    auckland = ZoneInfo("Pacific/Auckland")
    time_machine.move_to(datetime.datetime(2026, 12, 1, 9, 30, tzinfo=auckland), tick=False)

    patient = patient_create(
        organization=org_a,
        actor=None,
        fields={"given_name": "X", "family_name": "Y", "birth_date": datetime.date(2026, 12, 1)},
    )

    assert patient.birth_date == datetime.date(2026, 12, 1)


@pytest.mark.parametrize("country", ["XX", "ZZ", "", "USA"])
def test_a_country_that_is_not_an_iso_code_is_refused_naming_it(org_a, country):
    fields = {"given_name": "X", "family_name": "Y", "birth_date": datetime.date(2000, 1, 1)}
    with pytest.raises(InvalidInput) as error:
        patient_create(
            organization=org_a,
            actor=None,
            fields=fields | {"country": country, "phone_mobile": "617 555 0101"},
        )
    assert error.value.field == "country"
    assert error.value.message == f"country: {country!r} is not an ISO 3166 two-letter country code"
    assert not Patient.objects.filter(organization=org_a).exists()


def test_the_country_is_kept_in_upper_case_and_reads_the_phones(org_a):
    patient = patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "X",
            "family_name": "Y",
            "birth_date": datetime.date(2000, 1, 1),
            "country": "gb",
            "phone_mobile": "07700 900123",
        },
    )
    assert (patient.country, patient.phone_mobile) == ("GB", "+447700900123")


def test_a_phone_changed_alone_is_read_in_the_country_the_record_has(org_a):
    fields = {"given_name": "X", "family_name": "Y", "birth_date": datetime.date(2000, 1, 1)}
    patient = patient_create(organization=org_a, actor=None, fields=fields | {"country": "GB"})

    patient_update(patient=patient, actor=None, fields={"phone_mobile": "07700 900124"})

    patient.refresh_from_db()
    assert patient.phone_mobile == "+447700900124"


def test_patient_check_of_a_record_reports_what_its_update_would_and_writes_nothing(patient_a):
    fields = {"phone_mobile": "12345", "email": "nope", "country": "XX"}
    with pytest.raises(InvalidFields) as error:
        patient_check(organization=patient_a.organization, fields=fields, patient=patient_a)
    assert {problem.field for problem in error.value.problems} == {
        "phone_mobile",
        "email",
        "country",
    }
    patient_a.refresh_from_db()
    assert (patient_a.email, patient_a.version) == ("jose@example.org", 1)
