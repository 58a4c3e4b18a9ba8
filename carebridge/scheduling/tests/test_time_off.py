"""Time off and extra hours: recording and taking back, the visits that lie in them, and the
page where coordinators do it."""

import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from carebridge.accounts.services import user_create
from carebridge.audit.models import AuditEntry
from carebridge.core.errors import Conflict, InvalidInput
from carebridge.directory.services import (
    location_create,
    practitioner_create,
    practitioner_role_create,
)
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.availability import slot_search
from carebridge.scheduling.constants import ExceptionKind
from carebridge.scheduling.models import AvailabilityException, BackfillSlot, RescheduleOffer
from carebridge.scheduling.selectors import time_off_ahead
from carebridge.scheduling.services.appointments import appointment_cancel, appointment_reschedule
from carebridge.scheduling.services.reminders import reminder_policy_set
from carebridge.scheduling.services.replies import reschedule_offer_make, sms_text_received
from carebridge.scheduling.services.time_off import (
    availability_exception_create,
    availability_exception_remove,
    time_off_offer_other_times,
)
from carebridge.scheduling.services.waitlist import waitlist_add
from carebridge.scheduling.tests.messaging import (
    NEW_YORK,
    NOW,
    VISIT,
    book,
    deliver_due,
    messages_about,
    reachable_patient,
    use_file_gateways,
)
from conftest import PASSWORD

VISIT_DAY = VISIT.date()  # Thursday 10 December 2026
MINUS_12 = datetime.timezone(datetime.timedelta(hours=-12))
SATURDAY = datetime.date(2026, 12, 12)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), NEW_YORK)


def day_off(clinic, day=VISIT_DAY, **extra) -> AvailabilityException:
    return availability_exception_create(
        practitioner=clinic.practitioner,
        kind=ExceptionKind.UNAVAILABLE,
        start=at(day, 0),
        end=at(day + datetime.timedelta(days=1), 0),
        **extra,
    )


def saturday_morning(clinic) -> AvailabilityException:
    return availability_exception_create(
        practitioner=clinic.practitioner,
        kind=ExceptionKind.EXTRA_HOURS,
        start=at(SATURDAY, 9),
        end=at(SATURDAY, 12),
        location=clinic.location,
    )


def free_starts(clinic, day) -> list[datetime.datetime]:
    slots = slot_search(
        organization=clinic.organization, visit_type=clinic.visit_type, start_date=day, end_date=day
    )
    return [slot.start for slot in slots]


# the services


def test_time_off_and_extra_hours_change_what_is_bookable(clinic_a):
    assert free_starts(clinic_a, VISIT_DAY) and not free_starts(clinic_a, SATURDAY)

    away, extra = day_off(clinic_a), saturday_morning(clinic_a)

    assert free_starts(clinic_a, VISIT_DAY) == []
    assert free_starts(clinic_a, SATURDAY)[0] == at(SATURDAY, 9)
    availability_exception_remove(exception=away)
    availability_exception_remove(exception=extra)
    assert free_starts(clinic_a, VISIT_DAY) and not free_starts(clinic_a, SATURDAY)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end": at(VISIT_DAY, 9)}, "end", "end: must be after start"),
        ({"kind": ExceptionKind.EXTRA_HOURS}, "location", "location: extra hours need a location"),
        ({"reason": "x" * 201}, "reason", "reason"),
        ({"kind": "holiday"}, "kind", "kind"),
        # the years booking refuses: mistyped
        ({"start": at(datetime.date(1, 1, 1), 9)}, "start", "start: before 1900; check the year"),
        (
            {"end": at(datetime.date(9999, 12, 31), 17)},
            "end",
            "end: more than 5 years ahead; check the year",
        ),
        (
            # within year 9999 where typed, in year 10000 in UTC
            {
                "start": datetime.datetime(9999, 12, 31, 20, tzinfo=MINUS_12),
                "end": datetime.datetime(9999, 12, 31, 23, tzinfo=MINUS_12),
            },
            "start",
            "start: more than 5 years ahead; check the year",
        ),
    ],
)
def test_bad_time_off_is_refused_naming_the_field(clinic_a, changes, field, message):
    values = {
        "practitioner": clinic_a.practitioner,
        "kind": ExceptionKind.UNAVAILABLE,
        "start": at(VISIT_DAY, 9),
        "end": at(VISIT_DAY, 17),
        **changes,
    }
    with pytest.raises(InvalidInput) as refused:
        availability_exception_create(**values)

    assert refused.value.field == field and message in refused.value.message
    assert not AvailabilityException.objects.exists()


def test_extra_hours_only_where_the_practitioner_works_and_in_their_own_clinic(clinic_a, clinic_b):
    elsewhere = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )
    for location, message in [
        (elsewhere, "does not work at Annex"),
        (clinic_b.location, "location: not found"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            availability_exception_create(
                practitioner=clinic_a.practitioner,
                kind=ExceptionKind.EXTRA_HOURS,
                start=at(SATURDAY, 9),
                end=at(SATURDAY, 12),
                location=location,
            )


def test_time_off_at_one_location_only_where_the_practitioner_works(clinic_a, clinic_b):
    elsewhere = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )
    for location, message in [
        (elsewhere, "location: Dr. Ana Okafor does not work at Annex"),
        (clinic_b.location, "location: not found"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            day_off(clinic_a, location=location)

        assert (refused.value.field, refused.value.message) == ("location", message)
    assert day_off(clinic_a, location=clinic_a.location).location == clinic_a.location


def test_extra_hours_only_while_the_location_is_open(clinic_a):
    weekdays = location_create(
        organization=clinic_a.organization,
        name="Weekday Annex",
        timezone="America/New_York",
        opening_hours=[(weekday, datetime.time(8), datetime.time(18)) for weekday in range(5)],
    )
    practitioner_role_create(practitioner=clinic_a.practitioner, location=weekdays)

    def extra(start, end):
        return availability_exception_create(
            practitioner=clinic_a.practitioner,
            kind=ExceptionKind.EXTRA_HOURS,
            start=start,
            end=end,
            location=weekdays,
        )

    with pytest.raises(InvalidInput, match="start: Weekday Annex is closed then") as refused:
        extra(at(SATURDAY, 9), at(SATURDAY, 12))
    assert refused.value.field == "start"
    # an evening that begins while the doors are still open counts
    assert extra(at(VISIT_DAY, 17), at(VISIT_DAY, 20)).location == weekdays


def test_extra_hours_with_a_visit_in_them_cannot_be_taken_back(clinic_a):
    extra = saturday_morning(clinic_a)
    visit = book(clinic_a, reachable_patient(clinic_a.organization), at(SATURDAY, 10))

    with pytest.raises(Conflict, match="1 visit is booked in these extra hours"):
        availability_exception_remove(exception=extra)
    appointment_cancel(appointment=visit, actor=None, reason="moved")
    availability_exception_remove(exception=extra)

    assert not AvailabilityException.objects.exists()


# what lies in them


def test_the_visits_in_time_off_are_listed_with_it_and_audited(clinic_a, coordinator_a):
    patients = [reachable_patient(clinic_a.organization, mrn=f"T-{n}") for n in range(4)]
    inside = book(clinic_a, patients[0], at(VISIT_DAY, 10))
    book(clinic_a, patients[1], at(VISIT_DAY + datetime.timedelta(days=1), 10))  # the day after
    cancelled = book(clinic_a, patients[2], at(VISIT_DAY, 11))
    appointment_cancel(appointment=cancelled, actor=None, reason="away")
    later = book(clinic_a, patients[3], at(VISIT_DAY, 15))
    day_off(clinic_a, reason="Conference")

    [row] = time_off_ahead(organization=clinic_a.organization, actor=coordinator_a)

    assert row.entry.reason == "Conference"
    assert row.visits == [inside, later]
    audited = AuditEntry.objects.filter(actor=coordinator_a, action="query")
    assert sorted(audited.values_list("object_ref", flat=True)) == sorted(
        [str(inside.public_id), str(later.public_id)]
    )


def test_time_off_at_one_location_lists_only_the_visits_there(clinic_a):
    book(clinic_a, reachable_patient(clinic_a.organization), at(VISIT_DAY, 10))
    annex = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )
    practitioner_role_create(practitioner=clinic_a.practitioner, location=annex)
    day_off(clinic_a, location=annex)

    [row] = time_off_ahead(organization=clinic_a.organization, actor=None)

    assert row.visits == []


def test_time_off_that_is_over_is_not_listed(clinic_a, time_machine):
    day_off(clinic_a)
    time_machine.move_to(at(VISIT_DAY + datetime.timedelta(days=1), 0, 1), tick=False)

    assert time_off_ahead(organization=clinic_a.organization, actor=None) == []


# the page


def test_the_page_lists_time_off_with_the_visits_to_move(staff, clinic_a):
    patient = reachable_patient(clinic_a.organization, family_name="Moreno")
    visit = book(clinic_a, patient, at(VISIT_DAY, 10))
    day_off(clinic_a, reason="Sick")

    html = staff.get("/schedule/time-off/").content.decode()

    assert "Dr. Ana Okafor" in html and "Sick" in html and "every location" in html
    assert "Thu 2026-12-10, all day" in html and "times in America/New_York" in html
    assert "1 visit</strong> to move" in html and "Moreno, Rosa" in html
    assert f"/appointments/{visit.public_id}/" in html
    panel = staff.get(f"/appointments/{visit.public_id}/").content.decode()
    assert "Dr. Ana Okafor has time off then (Sick): move this visit" in panel
    appointment_cancel(appointment=visit, actor=None, reason="moved")
    assert (
        "has time off then" not in staff.get(f"/appointments/{visit.public_id}/").content.decode()
    )


def test_a_coordinator_records_days_away_in_the_clinic_zone(staff, clinic_a, coordinator_a):
    response = staff.post(
        "/schedule/time-off/",
        {
            "practitioner": str(clinic_a.practitioner.public_id),
            "kind": "unavailable",
            "start_date": "2026-12-10",
            "end_date": "2026-12-11",
            "reason": " Conference ",
        },
    )

    entry = AvailabilityException.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#time-off-{entry.public_id}")
    assert (entry.start, entry.end) == (at(VISIT_DAY, 0), at(datetime.date(2026, 12, 12), 0))
    assert (entry.reason, entry.created_by, entry.location) == ("Conference", coordinator_a, None)
    page = staff.get(response["Location"]).content.decode()
    assert "Dr. Ana Okafor: time off recorded." in page
    assert "Thu 2026-12-10 to Fri 2026-12-11, whole days" in page


def test_time_off_everywhere_follows_the_practitioners_own_zone(staff, clinic_a):
    """A practitioner who works only in Chicago is away from Chicago midnight to midnight;
    one who works in Boston and Chicago, by the clinic's clock."""
    chicago = location_create(
        organization=clinic_a.organization, name="Loop", timezone="America/Chicago"
    )
    lee = practitioner_create(
        organization=clinic_a.organization, given_name="Lee", family_name="Park"
    )
    practitioner_role_create(practitioner=lee, location=chicago)
    practitioner_role_create(practitioner=clinic_a.practitioner, location=chicago)
    central = ZoneInfo("America/Chicago")

    for practitioner in (lee, clinic_a.practitioner):
        staff.post(
            "/schedule/time-off/",
            {
                "practitioner": str(practitioner.public_id),
                "kind": "unavailable",
                "start_date": "2026-12-10",
            },
        )

    lees, anas = AvailabilityException.objects.order_by("id")
    assert lees.start == datetime.datetime(2026, 12, 10, tzinfo=central)
    assert anas.start == at(VISIT_DAY, 0)
    page = staff.get(f"/schedule/time-off/?practitioner={lee.public_id}").content.decode()
    assert "Thu 2026-12-10, all day" in page and "times in America/Chicago" in page


def test_extra_hours_are_recorded_in_the_location_zone(staff, clinic_a):
    staff.post(
        "/schedule/time-off/",
        {
            "practitioner": str(clinic_a.practitioner.public_id),
            "kind": "extra",
            "location": str(clinic_a.location.public_id),
            "start_date": "2026-12-12",
            "start_time": "09:00",
            "end_time": "12:00",
        },
    )

    entry = AvailabilityException.objects.get()
    assert (entry.start, entry.end, entry.location) == (
        at(SATURDAY, 9),
        at(SATURDAY, 12),
        clinic_a.location,
    )
    assert "Sat 2026-12-12 09:00\u201312:00" in staff.get("/schedule/time-off/").content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "2026-12-09"}, "end_date", "must be after start"),
        ({"start_time": "14:00", "end_time": "10:00"}, "end_time", "must be after start"),
        ({"start_date": "2026-11-20"}, "end_date", "This time is already over."),
        ({"kind": "extra"}, "location", "extra hours need a location"),
        ({"kind": "extra", "end_date": "2026-12-09"}, "end_date", "must be after start"),
        ({"kind": "extra", "end_date": "2026-12-09"}, "location", "need a location"),
        ({"start_date": "tomorrow"}, "start_date", "Enter a valid date."),
        ({"practitioner": ""}, "practitioner", "This field is required."),
    ],
)
def test_bad_input_is_shown_at_its_field_and_nothing_is_recorded(
    staff, clinic_a, changes, field, message
):
    data = {
        "practitioner": str(clinic_a.practitioner.public_id),
        "kind": "unavailable",
        "start_date": "2026-12-10",
        **changes,
    }

    response = staff.post("/schedule/time-off/", data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert not AvailabilityException.objects.exists()


def test_another_clinics_practitioner_or_entry_is_not_found(staff, clinic_b):
    entry = day_off(clinic_b)

    posted = staff.post(
        "/schedule/time-off/",
        {
            "practitioner": str(clinic_b.practitioner.public_id),
            "kind": "unavailable",
            "start_date": "2026-12-10",
        },
    )

    assert posted.status_code == 400 and "practitioner" in posted.context["form"].errors
    assert (
        staff.get(f"/schedule/time-off/?practitioner={clinic_b.practitioner.public_id}").status_code
        == 404
    )
    assert staff.get("/schedule/time-off/?practitioner=not-an-id").status_code == 404
    assert staff.post(f"/schedule/time-off/{entry.public_id}/remove/").status_code == 404
    assert AvailabilityException.objects.count() == 1


def test_taking_back_extra_hours_with_a_visit_says_why_it_cannot(staff, clinic_a):
    extra = saturday_morning(clinic_a)
    book(clinic_a, reachable_patient(clinic_a.organization), at(SATURDAY, 10))

    response = staff.post(f"/schedule/time-off/{extra.public_id}/remove/", follow=True)

    assert "1 visit is booked in these extra hours" in response.content.decode()
    assert AvailabilityException.objects.filter(pk=extra.pk).exists()


def test_physicians_see_time_off_billing_does_not(client, clinic_a, clinician_a):
    entry = day_off(clinic_a, reason="Conference")
    client.force_login(clinician_a)

    page = client.get("/schedule/time-off/").content.decode()

    assert "Conference" in page and "Take back" not in page and "Record time off" not in page
    assert client.post(f"/schedule/time-off/{entry.public_id}/remove/").status_code == 403
    billing = user_create(
        organization=clinic_a.organization, username="bill", password=PASSWORD, role="billing"
    )
    client.force_login(billing)
    assert client.get("/schedule/time-off/").status_code == 403


def test_an_installation_from_before_gets_the_time_off_permissions(db):
    coordinators = Group.objects.create(name="role:coordinator")
    migration = importlib.import_module(
        "carebridge.scheduling.migrations.0014_time_off_permissions"
    )

    migration.grant_time_off(django_apps, None)

    assert set(coordinators.permissions.values_list("codename", flat=True)) == {
        "view_availabilityexception",
        "add_availabilityexception",
        "delete_availabilityexception",
    }
    migration.revoke_time_off(django_apps, None)
    assert not coordinators.permissions.exists()


def test_the_week_says_who_is_off_each_day(staff, clinic_a):
    day_off(clinic_a, reason="Sick")
    elsewhere = practitioner_create(
        organization=clinic_a.organization, given_name="Lee", family_name="Park"
    )
    availability_exception_create(
        practitioner=elsewhere,
        kind=ExceptionKind.UNAVAILABLE,
        start=at(VISIT_DAY, 0),
        end=at(VISIT_DAY, 12),
        reason="Works elsewhere",
    )

    html = staff.get(f"/schedule/week/?location={clinic_a.location.public_id}&date=2026-12-10")

    page = html.content.decode()
    assert page.count("Dr. Ana Okafor: Off all day · Sick") == 1
    assert "Works elsewhere" not in page


def test_the_board_says_who_is_off_and_books_nothing_then(staff, clinic_a):
    day_off(clinic_a, reason="Sick")
    availability_exception_create(
        practitioner=clinic_a.practitioner,
        kind=ExceptionKind.UNAVAILABLE,
        start=at(VISIT_DAY + datetime.timedelta(days=1), 9),
        end=at(VISIT_DAY + datetime.timedelta(days=1), 11),
        reason="Training",
    )
    board = f"/schedule/?location={clinic_a.location.public_id}&date="

    sick_day = staff.get(board + "2026-12-10").content.decode()
    training_day = staff.get(board + "2026-12-11").content.decode()

    assert "Off all day · Sick" in sick_day and "Book at" not in sick_day
    assert "Off 09:00\u201311:00 · Training" in training_day
    assert "Book at 9:00 AM" not in training_day and "Book at 11:00 AM" in training_day


# other times for the patients of visits in time off


def visits_in_the_day_off(clinic):
    texter = reachable_patient(clinic.organization, mrn="O-1", family_name="Texter")
    mailer = reachable_patient(
        clinic.organization, mrn="O-2", family_name="Mailer", preferred_channel="email"
    )
    silent = reachable_patient(
        clinic.organization,
        mrn="O-3",
        family_name="Silent",
        phone_mobile="",
        email="",
        consent_sms=False,
        consent_email=False,
    )
    visits = [
        book(clinic, patient, at(VISIT_DAY, hour))
        for hour, patient in ((10, texter), (11, mailer), (14, silent))
    ]
    return visits, day_off(clinic, reason="Sick")


def options_sent(visit) -> list[OutboundMessage]:
    return messages_about(visit, kind="reschedule_options")


def test_patients_of_visits_in_time_off_are_sent_other_times(clinic_a, coordinator_a):
    (texted, mailed, silent), away = visits_in_the_day_off(clinic_a)

    done = time_off_offer_other_times(exception=away, actor=coordinator_a)

    assert (done.offered, done.already, done.to_call) == (2, 0, [silent])
    [text] = options_sent(texted)
    assert text.channel == "sms" and "Dr. Ana Okafor cannot see you on Thu" in text.body_text
    assert "1) Monday Nov. 30, 2026 9 a.m., Dr. Ana Okafor" in text.body_text  # first free
    [mail] = options_sent(mailed)
    assert mail.channel == "email" and mail.subject.startswith(
        "Your visit at Clinic A needs a new time"
    )
    assert "/p/v/" in mail.body_text
    assert not options_sent(silent)
    assert not RescheduleOffer.objects.filter(appointment=silent, closed_at=None).exists()


def test_other_times_pressed_at_night_go_out_when_quiet_hours_end(
    clinic_a, coordinator_a, time_machine
):
    (texted, _, _), away = visits_in_the_day_off(clinic_a)
    time_machine.move_to(at(datetime.date(2026, 12, 1), 22, 30), tick=False)

    time_off_offer_other_times(exception=away, actor=coordinator_a)

    [text] = options_sent(texted)
    assert text.due_at == at(datetime.date(2026, 12, 2), 8)


def option_starts(visit) -> list[datetime.datetime]:
    offer = RescheduleOffer.objects.get(appointment=visit, closed_at=None)
    return [option.start for option in offer.options.order_by("number")]


def test_the_first_time_offered_is_an_hour_after_the_offer_goes_out(
    clinic_a, coordinator_a, time_machine
):
    (texted, _, _), away = visits_in_the_day_off(clinic_a)
    time_machine.move_to(at(datetime.date(2026, 12, 2), 8, 45), tick=False)

    time_off_offer_other_times(exception=away, actor=coordinator_a)

    starts = option_starts(texted)
    assert len(starts) == 3 and min(starts) >= at(datetime.date(2026, 12, 2), 9, 45)
    assert min(starts) < at(datetime.date(2026, 12, 2), 11)


def test_times_offered_at_night_start_an_hour_after_quiet_hours_end(
    clinic_a, coordinator_a, time_machine
):
    reminder_policy_set(
        organization=clinic_a.organization,
        actor=None,
        offsets=[datetime.timedelta(days=1)],
        quiet_start=datetime.time(21),
        quiet_end=datetime.time(10),
    )
    (texted, _, _), away = visits_in_the_day_off(clinic_a)
    time_machine.move_to(at(datetime.date(2026, 12, 1), 22, 30), tick=False)

    time_off_offer_other_times(exception=away, actor=coordinator_a)

    [text] = options_sent(texted)
    assert text.due_at == at(datetime.date(2026, 12, 2), 10)
    assert min(option_starts(texted)) >= at(datetime.date(2026, 12, 2), 11)


def test_a_second_press_writes_to_nobody_twice(clinic_a, coordinator_a):
    (texted, mailed, silent), away = visits_in_the_day_off(clinic_a)
    time_off_offer_other_times(exception=away, actor=coordinator_a)

    again = time_off_offer_other_times(exception=away, actor=coordinator_a)

    assert (again.offered, again.already, again.to_call) == (0, 2, [silent])
    assert len(options_sent(texted)) == len(options_sent(mailed)) == 1


def test_times_offered_before_the_time_off_are_offered_afresh(
    clinic_a, coordinator_a, time_machine
):
    patient = reachable_patient(clinic_a.organization)
    visit = book(clinic_a, patient, at(VISIT_DAY, 10))
    reschedule_offer_make(appointment=visit)  # the patient asked for other times
    time_machine.move_to(NOW + datetime.timedelta(hours=1), tick=False)
    away = day_off(clinic_a)

    done = time_off_offer_other_times(exception=away, actor=coordinator_a)

    assert done.offered == 1 and len(options_sent(visit)) == 1


def test_the_patient_moves_the_visit_by_texting_a_number(
    clinic_a, coordinator_a, settings, tmp_path
):
    use_file_gateways(settings, tmp_path)
    (texted, _, _), away = visits_in_the_day_off(clinic_a)
    deliver_due()
    time_off_offer_other_times(exception=away, actor=coordinator_a)
    deliver_due()

    sms_text_received(
        from_address="+16175550199", to_address="+16175550000", body="1", provider_message_id="SM1"
    )

    texted.refresh_from_db()
    assert texted.start == at(datetime.date(2026, 11, 30), 9)
    [row] = time_off_ahead(organization=clinic_a.organization, actor=None)
    assert texted not in row.visits


def test_extra_hours_have_no_visits_to_move(clinic_a):
    with pytest.raises(InvalidInput, match="only time off"):
        time_off_offer_other_times(exception=saturday_morning(clinic_a), actor=None)


def test_the_page_sends_other_times_and_says_whom_to_call(staff, clinic_a):
    _, away = visits_in_the_day_off(clinic_a)

    response = staff.post(f"/schedule/time-off/{away.public_id}/offer/", follow=True)

    html = response.content.decode()
    assert "Sent 2 patients other times to choose from." in html
    assert "Call 1 patient: no free time to offer, or no way to write to them (Rosa Silent)" in html
    assert html.count("other times sent") == 2


def test_a_visit_moved_out_of_time_off_frees_nothing_for_the_waitlist(clinic_a):
    visit = book(clinic_a, reachable_patient(clinic_a.organization), at(VISIT_DAY, 10))
    day_off(clinic_a, reason="Sick")
    waitlist_add(
        organization=clinic_a.organization,
        actor=None,
        patient=reachable_patient(clinic_a.organization, mrn="W-1"),
        visit_type=clinic_a.visit_type,
    )

    appointment_reschedule(
        appointment=visit,
        actor=None,
        start=at(VISIT_DAY + datetime.timedelta(days=1), 10),
        reason="doctor away",
    )

    assert not BackfillSlot.objects.exists()
