"""The demo clinic's directory: sites, specialties, practitioners, their weeks and visit types.

Everything is made through the directory and scheduling services, from a seeded random
generator, so the same seed always builds the same clinic.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from faker import Faker
from unidecode import unidecode

from carebridge.accounts.models import Organization
from carebridge.directory.models import Location, Practitioner, Specialty
from carebridge.directory.services import (
    location_create,
    practitioner_create,
    practitioner_role_create,
    specialty_ensure,
)
from carebridge.scheduling.constants import PatientKind, RuleKind
from carebridge.scheduling.models import VisitType
from carebridge.scheduling.services.setup import availability_rule_create, visit_type_create

WEEKDAYS = range(5)
LUNCH = (datetime.time(12), datetime.time(13))


@dataclass(frozen=True)
class Site:
    name: str
    city: str
    state: str
    timezone: str
    address_line: str
    postal_code: str
    phone: str
    opens: datetime.time
    closes: datetime.time


SITES = (
    Site(
        "Boston Downtown",
        "Boston",
        "MA",
        "America/New_York",
        "100 Tremont Street",
        "02108",
        "+1 617 555 0100",
        datetime.time(7, 30),
        datetime.time(18),
    ),
    Site(
        "Worcester Family Health",
        "Worcester",
        "MA",
        "America/New_York",
        "20 Main Street",
        "01608",
        "+1 508 555 0100",
        datetime.time(8),
        datetime.time(17, 30),
    ),
    Site(
        "Chicago Loop",
        "Chicago",
        "IL",
        "America/Chicago",
        "55 West Monroe Street",
        "60603",
        "+1 312 555 0100",
        datetime.time(8),
        datetime.time(17),
    ),
)

# (code, name, share of the practitioners): primary care carries most of the panel.
SPECIALTIES = (
    ("fm", "Family medicine", 8),
    ("im", "Internal medicine", 5),
    ("peds", "Pediatrics", 4),
    ("cardio", "Cardiology", 3),
    ("derm", "Dermatology", 3),
    ("obgyn", "Obstetrics and gynecology", 3),
    ("ortho", "Orthopedics", 2),
    ("bh", "Behavioral health", 2),
)
PRIMARY_CARE = ("fm", "im", "peds")
PROCEDURAL = ("derm", "ortho", "obgyn")

# Languages besides English that staff speak, with the Faker locale their names come from.
SECOND_LANGUAGES = {
    "es": "es_MX",
    "pt": "pt_BR",
    "zh": "zh_CN",
    "vi": "vi_VN",
    "ht": "fr_FR",
    "ru": "ru_RU",
    "ar": "en_US",
}
NAME_LOCALES = ("en_US", *dict.fromkeys(SECOND_LANGUAGES.values()))


@dataclass(frozen=True)
class VisitKind:
    code: str
    name: str
    minutes: int
    colour: str
    preparation: str
    patient_kind: str = PatientKind.ANY
    telehealth: bool = False
    buffer_before: int = 0
    buffer_after: int = 0
    specialties: tuple[str, ...] = ()


VISIT_KINDS = (
    VisitKind(
        "new-patient",
        "New patient",
        45,
        "#2e7d32",
        "Please arrive 15 minutes early with photo ID, insurance card and a list of your "
        "medicines.",
        patient_kind=PatientKind.NEW,
    ),
    VisitKind("follow-up", "Follow-up", 20, "#4f7cac", "Bring any new test results."),
    VisitKind(
        "annual-physical",
        "Annual physical",
        40,
        "#8e24aa",
        "Do not eat for 8 hours before the visit if you need fasting blood work.",
        specialties=PRIMARY_CARE,
    ),
    VisitKind(
        "telehealth",
        "Telehealth visit",
        20,
        "#00838f",
        "Join from a quiet, private place; the video link arrives 15 minutes before.",
        telehealth=True,
    ),
    VisitKind(
        "procedure",
        "Office procedure",
        30,
        "#c62828",
        "Wear loose clothing; arrange a ride home if you will be sedated.",
        buffer_before=10,
        buffer_after=15,
        specialties=PROCEDURAL,
    ),
)


@dataclass(frozen=True)
class Workday:
    """One day of a practitioner's template week, in the location's wall-clock time."""

    weekday: int
    location: Location
    start: datetime.time
    end: datetime.time


@dataclass
class Clinician:
    practitioner: Practitioner
    specialty: Specialty
    languages: list[str]
    workdays: list[Workday]


@dataclass
class Clinic:
    organization: Organization
    locations: list[Location]
    clinicians: list[Clinician]
    visit_types: dict[str, VisitType]


def name_faker(seed: int) -> Faker:
    faker = Faker(list(NAME_LOCALES))
    faker.seed_instance(seed)
    return faker


def person_name(faker: Faker, language: str, rng: random.Random) -> tuple[str, str, str]:
    """(given, family, gender) in the Latin script a US clinic registers names in."""
    local = faker[SECOND_LANGUAGES.get(language, "en_US")]
    gender = rng.choice(("female", "male"))
    if language == "zh":
        return local.first_romanized_name(), local.last_romanized_name(), gender
    given = local.first_name_female() if gender == "female" else local.first_name_male()
    family = local.last_name_female() if gender == "female" else local.last_name_male()
    if language == "ru":
        return unidecode(given), unidecode(family), gender
    return given, family, gender


def clinic_build(
    *, organization: Organization, practitioners: int, rng: random.Random, faker: Faker
) -> Clinic:
    """Sites, specialties, `practitioners` clinicians with template weeks, and visit types."""
    locations = [_location(organization, site) for site in SITES]
    specialties = {
        code: specialty_ensure(organization=organization, code=code, name=name)
        for code, name, _ in SPECIALTIES
    }
    clinicians = [
        _clinician(organization, specialties[code], locations, rng, faker, number)
        for number, code in enumerate(_specialty_mix(practitioners), start=1)
    ]
    visit_types = {kind.code: _visit_type(organization, kind, specialties) for kind in VISIT_KINDS}
    return Clinic(organization, locations, clinicians, visit_types)


def _location(organization: Organization, site: Site) -> Location:
    return location_create(
        organization=organization,
        name=site.name,
        timezone=site.timezone,
        state=site.state,
        city=site.city,
        address_line=site.address_line,
        postal_code=site.postal_code,
        phone=site.phone,
        opening_hours=[(weekday, site.opens, site.closes) for weekday in WEEKDAYS],
    )


def _specialty_mix(count: int) -> list[str]:
    """Specialty codes in the clinic's proportions, interleaved so small clinics get variety."""
    positions = sorted(
        ((k + 0.5) / share, order, code)
        for order, (code, _, share) in enumerate(SPECIALTIES)
        for k in range(share)
    )
    interleaved = [code for _, _, code in positions]
    return [interleaved[i % len(interleaved)] for i in range(count)]


def _languages(rng: random.Random) -> list[str]:
    extra = rng.choices([*SECOND_LANGUAGES, ""], weights=[30, 8, 6, 5, 5, 4, 4, 38], k=2)
    return ["en", *dict.fromkeys(code for code in extra if code)]


def _clinician(
    organization: Organization,
    specialty: Specialty,
    locations: list[Location],
    rng: random.Random,
    faker: Faker,
    number: int,
) -> Clinician:
    languages = _languages(rng)
    given, family, gender = person_name(faker, languages[-1], rng)
    practitioner = practitioner_create(
        organization=organization,
        given_name=given,
        family_name=family,
        prefix="" if specialty.code == "bh" else "Dr.",
        # Real NPIs start with 1 or 2, so these can never name a real clinician.
        npi=f"9{number:09d}",
        gender=gender,
        email=f"clinician{number}@demo.example.org",
        specialties=[specialty],
        languages=languages,
    )
    workdays = _template_week(practitioner, specialty, locations, rng)
    return Clinician(practitioner, specialty, languages, workdays)


def _template_week(
    practitioner: Practitioner,
    specialty: Specialty,
    locations: list[Location],
    rng: random.Random,
) -> list[Workday]:
    """Four or five days a week, each at one site, with a lunch break; Chicago staff stay there."""
    home = rng.choices(locations, weights=[5, 3, 2])[0]
    sites = [home] if home.timezone != locations[0].timezone else locations[:2]
    days_off = set(rng.sample(list(WEEKDAYS), k=rng.choice((0, 1, 1))))
    start = rng.choice((datetime.time(8), datetime.time(8, 30), datetime.time(9)))
    end = datetime.time(start.hour + 8, start.minute)
    workdays = []
    for weekday in WEEKDAYS:
        if weekday in days_off:
            continue
        location = home if weekday % 2 == 0 else rng.choice(sites)
        practitioner_role_create(practitioner=practitioner, location=location, specialty=specialty)
        for kind, (opens, closes) in ((RuleKind.WORKING, (start, end)), (RuleKind.BREAK, LUNCH)):
            availability_rule_create(
                practitioner=practitioner,
                location=location,
                weekday=weekday,
                start_time=opens,
                end_time=closes,
                kind=kind,
            )
        workdays.append(Workday(weekday, location, start, end))
    return workdays


def _visit_type(
    organization: Organization, kind: VisitKind, specialties: dict[str, Specialty]
) -> VisitType:
    return visit_type_create(
        organization=organization,
        name=kind.name,
        code=kind.code,
        duration_minutes=kind.minutes,
        buffer_before_minutes=kind.buffer_before,
        buffer_after_minutes=kind.buffer_after,
        allowed_specialties=[specialties[code] for code in kind.specialties],
        patient_kind=kind.patient_kind,
        telehealth=kind.telehealth,
        preparation_instructions=kind.preparation,
        colour=kind.colour,
    )
