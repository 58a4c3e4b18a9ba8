"""The message wording pages: clinic admins only, their own clinic's rows only."""

import datetime

import pytest
from django.test import Client

from carebridge.accounts.services import user_create
from carebridge.notifications.models import MessageTemplate

NOW = datetime.datetime(2026, 11, 30, 15, tzinfo=datetime.UTC)  # a Monday, 10:00 in Boston
PAGE = "/settings/messages/"
REMINDER_SMS = "/settings/messages/reminder/en/sms/"
REMINDER_EMAIL = "/settings/messages/reminder/es/email/"


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def admin(client, org_a):
    client.force_login(
        user_create(organization=org_a, username="admin-a", password="x" * 20, role="admin")
    )
    return client


def own(org, body="Ours {{ date }}", language="en", channel="sms", subject=""):
    return MessageTemplate.objects.create(
        organization=org,
        kind="reminder",
        language=language,
        channel=channel,
        subject=subject,
        body=body,
    )


def test_settings_open_on_the_message_wording(admin):
    response = admin.get("/settings/")

    assert (response.status_code, response.url) == (302, PAGE)


def test_the_list_shows_own_wording_and_defaults(admin, org_a):
    own(org_a, language="pt")

    html = admin.get(PAGE).content.decode()

    assert "pt · text message" in html and "es · email" in html
    assert "Portuguese<br>" in html and "Spanish<br>" in html  # each language by name
    assert html.count("Own wording") == 1
    assert 'href="/settings/messages/reminder/pt/sms/"' in html
    assert 'href="/settings/messages/offer_taken/es/email/"' in html
    assert 'href="/settings/messages/" aria-current="page">Settings</a>' in html


def test_choosing_a_new_language_opens_its_editor(admin):
    response = admin.get(PAGE, {"kind": "reminder", "language": "pt", "channel": "sms"})
    assert response.status_code == 302 and response.url == "/settings/messages/reminder/pt/sms/"

    bad = admin.get(PAGE, {"kind": "reminder", "language": "p t", "channel": "sms"})
    assert bad.status_code == 400 and "is not a language tag" in bad.content.decode()


def test_the_editor_starts_from_the_default_with_its_preview(admin):
    html = admin.get(REMINDER_EMAIL).content.decode()

    assert "Uses the default wording" in html
    assert 'name="subject"' in html and "Recordatorio" in html
    assert "jueves" in html and "Alex" in html  # the made-up visit, in Spanish


def test_a_text_has_no_subject_field(admin):
    html = admin.get(REMINDER_SMS).content.decode()

    assert 'name="subject"' not in html and 'name="body"' in html


def test_preview_shows_the_draft_and_keeps_nothing(admin):
    response = admin.post(
        REMINDER_SMS, {"body": "{{ clinic }} sees you {{ weekday }}", "action": "preview"}
    )

    assert response.status_code == 200
    assert "Clinic A sees you Thursday" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_save_keeps_the_wording(admin, org_a):
    response = admin.post(
        REMINDER_EMAIL,
        {"subject": "Cita {{ date }}", "body": "Hola {{ patient_given_name }}", "action": "save"},
    )

    assert response.status_code == 302 and response.url == REMINDER_EMAIL
    row = MessageTemplate.objects.get(organization=org_a)
    assert (row.language, row.channel, row.subject) == ("es", "email", "Cita {{ date }}")
    assert "own wording" in admin.get(REMINDER_EMAIL).content.decode()


@pytest.mark.parametrize(
    ("url", "data", "field", "words"),
    [
        (REMINDER_SMS, {"body": "Hi {{ patient_given_name }}"}, "body", "text message"),
        (REMINDER_SMS, {"body": "{{ dat }}"}, "body", "unknown placeholder"),
        (REMINDER_SMS, {"body": "{% if date %}x"}, "body", "endif"),
        (REMINDER_EMAIL, {"subject": "{{ when }}", "body": "x"}, "subject", "{{ when }}"),
        (REMINDER_EMAIL, {"subject": "", "body": "x"}, "subject", "needs a subject"),
    ],
)
def test_a_bad_template_is_a_form_error_on_its_field(admin, url, data, field, words):
    for action in ("save", "preview"):
        response = admin.post(url, {**data, "action": action})

        assert response.status_code == 400
        errors = response.context["form"].errors
        assert list(errors) == [field] and words in errors[field][0]
        assert f'id="id_{field}_error"' in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_use_the_default_again(admin, org_a):
    own(org_a)

    response = admin.post(REMINDER_SMS + "default/")

    assert response.status_code == 302
    assert not MessageTemplate.objects.exists()


def test_another_clinics_wording_is_never_shown_or_changed(admin, org_b):
    theirs = own(org_b, body="CLINIC-B-WORDS {{ date }}")

    assert "Own wording" not in admin.get(PAGE).content.decode()
    assert "CLINIC-B-WORDS" not in admin.get(REMINDER_SMS).content.decode()
    admin.post(REMINDER_SMS + "default/")
    admin.post(REMINDER_SMS, {"body": "Ours {{ date }}", "action": "save"})

    theirs.refresh_from_db()
    assert theirs.body == "CLINIC-B-WORDS {{ date }}"
    assert MessageTemplate.objects.count() == 2


def test_unknown_messages_are_404(admin):
    for url in (
        "/settings/messages/gossip/en/sms/",
        "/settings/messages/reminder/en/fax/",
        "/settings/messages/reminder/x_y!/sms/",
    ):
        assert admin.get(url).status_code == 404, url


def test_coordinators_are_refused_and_see_no_settings_link(client, coordinator_a, org_a):
    client.force_login(coordinator_a)

    assert "Settings</a>" not in client.get("/messages/").content.decode()
    assert client.get(PAGE).status_code == 403
    assert client.get(REMINDER_SMS).status_code == 403
    assert client.post(REMINDER_SMS, {"body": "x {{ date }}", "action": "save"}).status_code == 403
    own(org_a)
    assert client.post(REMINDER_SMS + "default/").status_code == 403
    assert MessageTemplate.objects.count() == 1


def test_changes_need_the_csrf_token(org_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        user_create(organization=org_a, username="admin-a", password="x" * 20, role="admin")
    )

    response = client.post(REMINDER_SMS, {"body": "x {{ date }}", "action": "save"})

    assert response.status_code == 403 and not MessageTemplate.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(PAGE).status_code == 302
