"""The reminder policy page: the clinic's policy and its visit types' overrides, changed by
clinic admins only and only in their own clinic."""

import datetime

import pytest
from django.test import Client

from carebridge.accounts.services import user_create
from carebridge.scheduling.models import ReminderPolicy
from carebridge.scheduling.services.messages import policy_for
from carebridge.scheduling.services.reminders import reminder_policy_set
from carebridge.scheduling.tests.messaging import NOW, book, reachable_patient

PAGE = "/settings/reminders/"
MINUTE = datetime.timedelta(minutes=1)
POLICY = {
    "offsets": "3 days, 1 hour",
    "confirm_on_booking": "",
    "quiet_start": "22:00",
    "quiet_end": "07:30",
    "sms_shows_visit_type": "on",
}


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def admin_of(org, username="admin-a"):
    return user_create(organization=org, username=username, password="x" * 20, role="admin")


@pytest.fixture
def admin(client, org_a):
    client.force_login(admin_of(org_a))
    return client


def override_url(visit_type, suffix=""):
    return f"{PAGE}visit-types/{visit_type.public_id}/{suffix}"


def test_without_a_policy_the_page_shows_the_defaults(admin):
    html = admin.get(PAGE).content.decode()

    assert "these are the defaults" in html
    assert 'value="1 week, 2 days, 2 hours"' in html
    assert 'value="21:00"' in html and 'value="08:00"' in html
    assert 'href="/settings/reminders/" aria-current="page">Reminder policy</a>' in html


def test_saving_the_policy_applies_to_visits_booked_next(admin, clinic_a):
    response = admin.post(PAGE, POLICY)

    assert response.status_code == 302
    policy = policy_for(book(clinic_a, reachable_patient(clinic_a.organization)))
    assert policy.offsets == (4320 * MINUTE, 60 * MINUTE)
    assert (policy.confirm_on_booking, policy.sms_shows_visit_type) == (False, True)
    assert (policy.quiet_start, policy.quiet_end) == (datetime.time(22), datetime.time(7, 30))
    assert 'value="3 days, 1 hour"' in admin.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"offsets": "3 days, soon"}, "offsets", "“soon”"),
        ({"offsets": "0 days"}, "offsets", "at least one minute"),
        ({"quiet_start": "late"}, "quiet_start", "valid time"),
    ],
)
def test_a_bad_policy_is_a_form_error_on_its_field(admin, change, field, words):
    response = admin.post(PAGE, {**POLICY, **change})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and words in errors[field][0]
    assert not ReminderPolicy.objects.exists()


def test_add_edit_and_remove_a_visit_type_override(admin, clinic_a):
    org, follow_up = clinic_a.organization, clinic_a.visit_type
    reminder_policy_set(organization=org, actor=None, offsets=[5 * 1440 * MINUTE])
    chooser = admin.get(PAGE).content.decode()
    assert f'<option value="{follow_up.public_id}">Follow-up</option>' in chooser

    opened = admin.get(PAGE, {"visit_type": str(follow_up.public_id)})
    assert opened.status_code == 302 and opened.url == override_url(follow_up)
    form = admin.get(override_url(follow_up)).content.decode()
    assert 'value="5 days"' in form and "visits follow the clinic" in form

    assert admin.post(override_url(follow_up), POLICY).status_code == 302
    page = admin.get(PAGE).content.decode()
    assert "3 days, 1 hour" in page and "22:00\u201307:30" in page
    assert f'<option value="{follow_up.public_id}">' not in page  # no second override
    visit = book(clinic_a, reachable_patient(org))
    assert policy_for(visit).offsets == (4320 * MINUTE, 60 * MINUTE)

    assert admin.post(override_url(follow_up, "remove/")).status_code == 302
    visit.refresh_from_db()  # read again, as the next request would: the clinic's new revision
    assert policy_for(visit).offsets == (5 * 1440 * MINUTE,)


def test_another_clinics_visit_types_and_overrides_are_404(admin, clinic_b):
    theirs = reminder_policy_set(
        organization=clinic_b.organization,
        actor=None,
        offsets=[MINUTE * 60],
        visit_type=clinic_b.visit_type,
    )

    assert admin.get(override_url(clinic_b.visit_type)).status_code == 404
    assert admin.post(override_url(clinic_b.visit_type), POLICY).status_code == 404
    assert admin.post(override_url(clinic_b.visit_type, "remove/")).status_code == 404
    assert admin.get(PAGE, {"visit_type": str(clinic_b.visit_type.public_id)}).status_code == 404
    assert str(clinic_b.visit_type.public_id) not in admin.get(PAGE).content.decode()
    assert list(ReminderPolicy.objects.all()) == [theirs]


def test_coordinators_are_refused(client, coordinator_a, clinic_a):
    client.force_login(coordinator_a)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, POLICY).status_code == 403
    assert client.get(override_url(clinic_a.visit_type)).status_code == 403
    assert client.post(override_url(clinic_a.visit_type), POLICY).status_code == 403
    assert client.post(override_url(clinic_a.visit_type, "remove/")).status_code == 403
    assert not ReminderPolicy.objects.exists()


def test_changes_need_the_csrf_token(org_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_of(org_a))

    assert client.post(PAGE, POLICY).status_code == 403
    assert not ReminderPolicy.objects.exists()
