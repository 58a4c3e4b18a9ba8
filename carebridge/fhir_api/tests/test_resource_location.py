import datetime

import pytest
from fhir.resources.R4B.location import Location as FhirLocation

from carebridge.core.errors import InvalidInput
from carebridge.directory.models import Location
from carebridge.directory.services import location_create
from carebridge.fhir_api.resources import TIMEZONE_EXTENSION
from carebridge.fhir_api.resources.location import parse_location, to_fhir_location

NINE, FIVE, NOON = datetime.time(9), datetime.time(17), datetime.time(12)


@pytest.fixture
def location(org_a):
    created = location_create(
        organization=org_a,
        name="Harbor Clinic",
        timezone="America/Chicago",
        country="us",
        state="IL",
        city="Chicago",
        address_line="1 Lake Shore Dr",
        postal_code="60601",
        phone="+13125550100",
        identifier="urn:example:site|harbor",
        opening_hours=[(day, NINE, FIVE) for day in range(5)] + [(5, NINE, NOON)],
    )
    return (
        Location.objects.select_related("organization")
        .prefetch_related("opening_hours")
        .get(pk=created.pk)
    )


def test_to_fhir_location_is_valid_r4_with_zone_and_hours(location, org_a):
    resource = to_fhir_location(location)

    FhirLocation.model_validate(resource)
    assert resource["extension"] == [{"url": TIMEZONE_EXTENSION, "valueCode": "America/Chicago"}]
    assert resource["identifier"] == [{"system": "urn:example:site", "value": "harbor"}]
    assert resource["address"]["country"] == "US"
    assert resource["telecom"] == [{"system": "phone", "value": "+13125550100"}]
    assert resource["managingOrganization"]["reference"] == f"Organization/{org_a.public_id}"
    assert resource["hoursOfOperation"] == [
        {"daysOfWeek": ["sat"], "openingTime": "09:00:00", "closingTime": "12:00:00"},
        {
            "daysOfWeek": ["mon", "tue", "wed", "thu", "fri"],
            "openingTime": "09:00:00",
            "closingTime": "17:00:00",
        },
    ]


def test_to_fhir_location_reads_only_loaded_relations(location, django_assert_num_queries):
    with django_assert_num_queries(0):
        to_fhir_location(location)


def test_parse_of_to_fhir_gives_back_the_location(location):
    parsed = parse_location(to_fhir_location(location))

    assert parsed.fields == {name: getattr(location, name) for name in parsed.fields}
    assert parsed.fields["timezone"] == "America/Chicago"
    assert list(parsed.opening_hours) == [
        (row.weekday, row.opens, row.closes) for row in location.opening_hours.all()
    ]
    assert parsed.managing_organization.id == str(location.organization.public_id)


def test_parse_without_a_zone_leaves_it_to_the_caller():
    parsed = parse_location({"resourceType": "Location", "name": "Annex"})
    assert "timezone" not in parsed.fields
    assert parsed.fields["active"] is True


def test_all_day_opening():
    parsed = parse_location(
        {
            "resourceType": "Location",
            "name": "ER",
            "hoursOfOperation": [{"daysOfWeek": ["sun"], "allDay": True}],
        }
    )
    assert parsed.opening_hours == ((6, datetime.time(0), datetime.time(23, 59, 59)),)


@pytest.mark.parametrize(
    ("payload", "element"),
    [
        ({"name": ""}, "Location.name"),
        ({"status": "closed"}, "Location.status"),
        ({"mode": "kind"}, "Location.mode"),
        ({"address": {"country": "Germany"}}, "Location.address.country"),
        (
            {"hoursOfOperation": [{"daysOfWeek": ["funday"], "allDay": True}]},
            "Location.hoursOfOperation.daysOfWeek",
        ),
        (
            {
                "hoursOfOperation": [
                    {"daysOfWeek": ["mon"], "openingTime": "17:00:00", "closingTime": "09:00:00"}
                ]
            },
            "Location.hoursOfOperation.closingTime",
        ),
        (
            {"hoursOfOperation": [{"daysOfWeek": ["mon"], "openingTime": "9am"}]},
            "Location.hoursOfOperation.openingTime",
        ),
        ({"managingOrganization": {"reference": "Patient/1"}}, "Location.managingOrganization"),
    ],
)
def test_parse_names_the_bad_element(payload, element):
    with pytest.raises(InvalidInput) as error:
        parse_location({"resourceType": "Location", "name": "Annex"} | payload)
    assert error.value.field == element
