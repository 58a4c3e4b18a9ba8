from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.models import MessageTemplate
from carebridge.notifications.template_selectors import (
    message_template_catalogue,
    message_template_wording,
    shipped_languages,
)


def own(org, language="en", channel="sms", kind="reminder", body="Ours {{ date }}"):
    return MessageTemplate.objects.create(
        organization=org, kind=kind, language=language, channel=channel, body=body
    )


def test_every_kind_language_and_channel_is_listed_with_the_clinics_own_rows(org_a, org_b):
    ours = own(org_a, language="pt")
    own(org_b, language="fr")

    entries = message_template_catalogue(organization=org_a)

    languages = sorted({*shipped_languages(), "pt"})
    assert len(entries) == len(MessageKind) * len(languages) * len(MessageChannel)
    assert {entry.language for entry in entries} == set(languages)  # not clinic B's "fr"
    assert [entry.own for entry in entries if entry.own] == [ours]
    assert shipped_languages() == ["en", "es"]


def test_wording_starts_from_the_clinics_row_else_the_nearest_default(org_a, org_b):
    own(org_b, language="es")
    spanish = message_template_wording(
        organization=org_a, kind="reminder", language="es", channel="sms"
    )
    assert spanish.own is None and spanish.default_language == "es"
    assert spanish.body.startswith("{{ clinic }} le recuerda")

    portuguese = message_template_wording(
        organization=org_a, kind="reminder", language="pt-BR", channel="email"
    )
    assert portuguese.default_language == "en" and portuguese.subject.startswith("Reminder")

    row = own(org_a, language="es")
    assert message_template_wording(
        organization=org_a, kind="reminder", language="es", channel="sms"
    ) == type(spanish)(subject="", body="Ours {{ date }}", own=row, default_language="es")
