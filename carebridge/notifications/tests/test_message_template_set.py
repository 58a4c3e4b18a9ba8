"""A clinic's own wording: kept only when it parses, names fields its channel may show and
renders; dropped to fall back on the default; previewed without being kept."""

import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import InvalidInput
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.models import MessageTemplate
from carebridge.notifications.rendering import message_render, shipped_template_text
from carebridge.notifications.services.templates import (
    message_template_delete,
    message_template_preview,
    message_template_set,
)
from carebridge.notifications.template_selectors import shipped_languages

NOW = datetime.datetime(2026, 11, 30, 15, tzinfo=datetime.UTC)  # a Monday, 10:00 in Boston
SMS, EMAIL = MessageChannel.SMS, MessageChannel.EMAIL


def kept(org, *, channel=SMS, subject="", body="", kind=MessageKind.REMINDER, language="en"):
    return message_template_set(
        organization=org,
        actor=None,
        kind=kind,
        language=language,
        channel=channel,
        subject=subject,
        body=body,
    )


def refused(org, **wording) -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        kept(org, **wording)
    assert not MessageTemplate.objects.exists()
    return error.value


def test_own_wording_is_used_for_new_messages_and_audited(org_a, coordinator_a):
    message_template_set(
        organization=org_a,
        actor=coordinator_a,
        kind=MessageKind.REMINDER,
        language="es",
        channel=SMS,
        subject="ignored for texts",
        body="{{ clinic }}: le esperamos el {{ date }}.",
    )

    row = MessageTemplate.objects.get()
    assert (row.kind, row.language, row.channel, row.subject) == ("reminder", "es", "sms", "")
    rendered = message_render(
        organization=org_a,
        kind="reminder",
        language="es-MX",
        channel=SMS,
        context={"clinic": "Clinic A", "date": "3 dic"},
    )
    assert rendered.body_text == "Clinic A: le esperamos el 3 dic.\n"
    entry = AuditEntry.objects.get(object_type="MessageTemplate")
    assert (entry.action, entry.actor_id, entry.object_ref) == (
        "create",
        coordinator_a.pk,
        "reminder.es.sms",
    )


def test_setting_again_replaces_the_wording(org_a):
    kept(org_a, body="First {{ time }}")
    kept(org_a, body="Second {{ time }}")

    assert MessageTemplate.objects.get().body == "Second {{ time }}"
    assert list(
        AuditEntry.objects.filter(object_type="MessageTemplate")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["create", "update"]


def test_every_shipped_default_passes_the_checks(org_a):
    for language in shipped_languages():
        for kind in MessageKind.values:
            for channel in MessageChannel.values:
                subject, body = shipped_template_text(language=language, kind=kind, channel=channel)
                kept(
                    org_a, kind=kind, language=language, channel=channel, subject=subject, body=body
                )

    assert MessageTemplate.objects.count() == len(shipped_languages()) * len(MessageKind) * 2


def test_a_syntax_error_names_the_body(org_a):
    error = refused(org_a, body="See you {% if time %}at {{ time }}")

    assert error.field == "body" and "endif" in error.message


@pytest.mark.parametrize(
    "body",
    [
        "{{ clinic reminder: see you soon",
        "{{ clinic }} reminder: visit date }} at {{ time }}",
        "{% if time %}at {{ time }}{% endif %} and {% comment",
        "See you {# soon",
    ],
)
def test_a_placeholder_or_tag_left_open_is_refused(org_a, body):
    error = refused(org_a, body=body)

    assert error.field == "body" and "is not a whole placeholder or tag" in error.message


def test_an_unknown_placeholder_names_the_field(org_a):
    error = refused(org_a, channel=EMAIL, subject="Visit {{ dat }}", body="{{ date }}")

    assert error.field == "subject" and "{{ dat }}" in error.message


def test_a_text_may_not_name_the_patient_or_the_preparation(org_a):
    for name in ("patient_given_name", "preparation"):
        error = refused(org_a, body=f"Hello {{{{ {name} }}}}, see you {{{{ date }}}}")

        assert error.field == "body" and "text message" in error.message


def test_fields_are_found_in_conditions_loops_and_filter_arguments(org_a):
    for body in (
        "{% if secret %}x{% endif %}",
        "{% if date and not secret %}x{% endif %}",
        "{% for line in secret %}{{ line }}{% endfor %}",
        "{{ date|default:secret }}",
        "{% with a=secret %}{{ a }}{% endwith %}",
        "{% with secret=secret %}{{ secret }}{% endwith %}",
        "{% for secret in secret %}{% endfor %}",
        "{% firstof date secret %}",
    ):
        assert "{{ secret }}" in refused(org_a, body=body).message, body


def test_loop_and_with_names_are_the_templates_own(org_a):
    kept(org_a, body="{% for line in options %}{{ line }}{{ forloop.counter }}{% endfor %}")
    kept(org_a, body="{% with when=time %}{{ when }}{% endwith %}")


def test_tags_that_reach_outside_the_message_are_refused(org_a):
    for body in ('{% include "web/base.html" %}', "{% debug %}", "{% load static %}"):
        assert refused(org_a, body=body).field == "body", body


def test_an_email_needs_a_subject_and_every_message_a_body(org_a):
    assert refused(org_a, channel=EMAIL, subject=" ", body="{{ date }}").field == "subject"
    assert refused(org_a, body="  \n").field == "body"


def test_a_body_that_fails_on_the_sample_visit_is_refused(org_a):
    error = refused(org_a, body="{{ hold_minutes|divisibleby:0 }}")

    assert error.field == "body" and "does not render" in error.message


def test_unknown_kind_channel_or_language_tag_is_refused(org_a):
    assert refused(org_a, kind="gossip", body="x").field == "kind"
    assert refused(org_a, channel="fax", body="x").field == "channel"
    assert refused(org_a, language="../en", body="x").field == "language"


def test_deleting_brings_the_default_back(org_a, org_b):
    kept(org_a, body="Ours {{ date }}")
    kept(org_b, body="Theirs {{ date }}")

    assert message_template_delete(
        organization=org_a, actor=None, kind="reminder", language="en", channel=SMS
    )

    assert list(MessageTemplate.objects.values_list("body", flat=True)) == ["Theirs {{ date }}"]
    assert not message_template_delete(
        organization=org_a, actor=None, kind="reminder", language="en", channel=SMS
    )
    assert AuditEntry.objects.filter(object_type="MessageTemplate", action="delete").count() == 1


def test_preview_renders_a_draft_on_a_made_up_visit_and_keeps_nothing(org_a, time_machine):
    time_machine.move_to(NOW, tick=False)
    kept(org_a, body="Saved {{ date }}")

    preview = message_template_preview(
        organization=org_a,
        kind="reminder",
        language="en",
        channel=SMS,
        body="{{ clinic }} on {{ weekday }} at {{ time }} [{{ visit_type }}]",
    )

    assert preview.body_text == "Clinic A on Thursday at 10:30 a.m. []\n"
    assert MessageTemplate.objects.get().body == "Saved {{ date }}"
    assert not AuditEntry.objects.filter(object_type="MessageTemplate", action="update").exists()


def test_preview_without_a_draft_shows_the_current_wording(org_a, time_machine):
    time_machine.move_to(NOW, tick=False)

    email = message_template_preview(
        organization=org_a, kind="confirmation", language="es", channel=EMAIL
    )

    assert "Clinic A" in email.subject and "jueves" in email.body_text
    assert "Alex" in email.body_text  # the made-up patient, never a real one


def test_preview_of_a_bad_draft_names_the_field(org_a):
    with pytest.raises(InvalidInput) as error:
        message_template_preview(
            organization=org_a, kind="reminder", language="en", channel=SMS, body="{{ nope }}"
        )
    assert error.value.field == "body"
