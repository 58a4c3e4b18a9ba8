import datetime
from zoneinfo import ZoneInfo

import pytest

from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.models import MessageTemplate
from carebridge.notifications.rendering import (
    CONTEXT_FIELDS,
    SMS_FIELDS,
    _html,
    language_chain,
    message_render,
    messages_render,
    visit_time_text,
    visit_time_words,
)

CONTEXT = {
    "clinic": "Clinic A",
    "clinic_phone": "+1 617 555 0100",
    "location": "Main St",
    "address": "1 Main St, Boston",
    "weekday": "Thursday",
    "date": "Dec. 3, 2026",
    "time": "9:30 a.m.",
    "practitioner": "Dr. Ana Okafor",
    "visit_type": "Follow-up",
    "preparation": "Fast for 8 hours",
    "manage_url": "https://cb.example/p/v/abc/",
    "confirm_url": "https://cb.example/p/v/abc/confirm/",
}


def canary(name: str) -> str:
    return f"CANARY{name.upper()}X"


def test_language_chain_goes_from_specific_to_english():
    assert language_chain("es-MX") == ["es-MX", "es", "en"]
    assert language_chain("en") == ["en"]
    assert language_chain("../../etc") == ["en"]


def test_english_sms_confirmation_has_time_place_and_links(org_a):
    rendered = message_render(
        organization=org_a,
        kind=MessageKind.CONFIRMATION,
        language="en",
        channel=MessageChannel.SMS,
        context=CONTEXT,
    )
    assert "Thursday Dec. 3, 2026 at 9:30 a.m." in rendered.body_text
    assert "1 Main St, Boston" in rendered.body_text
    assert CONTEXT["manage_url"] in rendered.body_text
    assert rendered.subject == "" and rendered.body_html == ""


def test_regional_spanish_falls_back_to_spanish(org_a):
    rendered = message_render(
        organization=org_a,
        kind=MessageKind.REMINDER,
        language="es-MX",
        channel=MessageChannel.SMS,
        context=CONTEXT,
    )
    assert "le recuerda" in rendered.body_text


def test_language_without_templates_falls_back_to_english(org_a):
    rendered = message_render(
        organization=org_a,
        kind=MessageKind.REMINDER,
        language="fr",
        channel=MessageChannel.EMAIL,
        context=CONTEXT,
    )
    assert rendered.subject.startswith("Reminder: your visit at Clinic A")
    assert "Fast for 8 hours" in rendered.body_text


def test_clinic_override_wins_only_for_its_own_organization(org_a, org_b):
    MessageTemplate.objects.create(
        organization=org_a,
        kind=MessageKind.REMINDER,
        language="es",
        channel=MessageChannel.SMS,
        body="Hola de {{ clinic }} el {{ date }}",
    )

    def render(organization):
        return message_render(
            organization=organization,
            kind=MessageKind.REMINDER,
            language="es-MX",
            channel=MessageChannel.SMS,
            context=CONTEXT,
        ).body_text

    assert render(org_a) == "Hola de Clinic A el Dec. 3, 2026\n"
    assert "le recuerda" in render(org_b)


def test_several_kinds_render_in_order_from_one_read(org_a, django_assert_num_queries):
    MessageTemplate.objects.create(
        organization=org_a,
        kind=MessageKind.REMINDER,
        language="es",
        channel=MessageChannel.SMS,
        body="Hola de {{ clinic }} el {{ date }}",
    )

    with django_assert_num_queries(1):
        confirmation, reminder = messages_render(
            organization=org_a,
            kinds=[MessageKind.CONFIRMATION, MessageKind.REMINDER],
            language="es-MX",
            channel=MessageChannel.SMS,
            context=CONTEXT,
        )

    assert reminder.body_text == "Hola de Clinic A el Dec. 3, 2026\n"
    assert confirmation == message_render(
        organization=org_a,
        kind=MessageKind.CONFIRMATION,
        language="es-MX",
        channel=MessageChannel.SMS,
        context=CONTEXT,
    )


def test_email_html_escapes_values_and_links_urls(org_a):
    rendered = message_render(
        organization=org_a,
        kind=MessageKind.CONFIRMATION,
        language="en",
        channel=MessageChannel.EMAIL,
        context=CONTEXT | {"preparation": "<script>alert(1)</script>"},
    )
    assert "<script>" not in rendered.body_html
    assert "&lt;script&gt;" in rendered.body_html
    assert f'<a href="{CONTEXT["confirm_url"]}">' in rendered.body_html
    assert rendered.body_html.endswith("<p>Clinic A</p>")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", MessageKind.values)
def test_sms_carries_only_the_allowed_fields(org_a, kind, language):
    # given canary values in every field a template could use
    context = {name: canary(name) for name in CONTEXT_FIELDS}
    for ack in ["confirmed", "cancelled", "rescheduled", "taken", "no_options", "other"]:
        # when the SMS is rendered
        body = message_render(
            organization=org_a,
            kind=kind,
            language=language,
            channel=MessageChannel.SMS,
            context=context | {"ack": ack},
        ).body_text
        # then no field outside the SMS list shows, and the visit type only when allowed
        leaked = {name for name in CONTEXT_FIELDS - SMS_FIELDS if canary(name) in body}
        assert leaked == set(), leaked
        assert "CANARY" in body or kind in {"opt_out_ack", "opt_in_ack", "help"}


def test_sms_shows_visit_type_only_when_the_clinic_allows(org_a):
    def body(**extra):
        return message_render(
            organization=org_a,
            kind=MessageKind.REMINDER,
            language="en",
            channel=MessageChannel.SMS,
            context=CONTEXT | extra,
        ).body_text

    assert "Follow-up" not in body()
    assert "(Follow-up)" in body(sms_shows_visit_type=True)


@pytest.mark.parametrize("kind", MessageKind.values)
def test_every_kind_is_shipped_in_english_and_spanish_for_both_channels(org_a, kind):
    for language in ["en", "es"]:
        for channel in MessageChannel.values:
            rendered = message_render(
                organization=org_a, kind=kind, language=language, channel=channel, context=CONTEXT
            )
            assert rendered.body_text.strip()
            assert bool(rendered.subject) == (channel == MessageChannel.EMAIL)


def test_visit_time_is_local_and_in_the_language():
    start = datetime.datetime(2026, 12, 3, 14, 30, tzinfo=datetime.UTC)
    spanish = visit_time_text(start=start, zone=ZoneInfo("America/New_York"), language="es")
    english = visit_time_text(start=start, zone=ZoneInfo("America/Chicago"), language="en")
    assert (spanish.weekday, spanish.date, spanish.time) == (
        "jueves",
        "3 de diciembre de 2026",
        "09:30",
    )
    assert english.time == "8:30 a.m."


def test_email_html_links_end_before_punctuation_and_escape_their_address():
    text = (
        "Confirm: https://clinic.test/v/ab?x=1&y=2.\n"
        "Or call (see https://clinic.test/help), 'quoted'\n\n"
        "Directions <https://maps.test/q> (https://maps.test/a_(b))."
    )

    assert _html(text) == (
        '<p>Confirm: <a href="https://clinic.test/v/ab?x=1&amp;y=2">'
        "https://clinic.test/v/ab?x=1&amp;y=2</a>.<br>"
        'Or call (see <a href="https://clinic.test/help">https://clinic.test/help</a>),'
        " &#x27;quoted&#x27;</p>\n\n"
        '<p>Directions &lt;<a href="https://maps.test/q">https://maps.test/q</a>&gt;'
        ' (<a href="https://maps.test/a_(b)">https://maps.test/a_(b)</a>).</p>'
    )


def test_a_language_without_wording_gets_english_words_and_an_english_date(org_a):
    start = datetime.datetime(2027, 1, 13, 13, 0, tzinfo=datetime.UTC)
    when = visit_time_words(start=start, zone=ZoneInfo("America/New_York"))
    context = CONTEXT | {"weekday": when.weekday, "date": when.date, "time": when.time}

    arabic, spanish = (
        message_render(
            organization=org_a,
            kind=MessageKind.CONFIRMATION,
            language=language,
            channel=MessageChannel.SMS,
            context=context,
        )
        for language in ["ar", "es"]
    )

    assert "booked for Wednesday Jan. 13, 2027 at 8 a.m. with" in arabic.body_text
    assert "miércoles 13 de enero de 2027" in spanish.body_text
