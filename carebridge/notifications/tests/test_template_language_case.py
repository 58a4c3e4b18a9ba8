"""Wording is kept under its language tag in BCP 47's usual case ("VI" -> "vi", "pt-br"
-> "pt-BR"), the case patients' tags are written in, so it reaches them."""

import datetime

import pytest

from carebridge.core.languages import language_tag_cased
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.models import MessageTemplate
from carebridge.notifications.rendering import message_render
from carebridge.notifications.services.templates import (
    message_template_delete,
    message_template_set,
)

NOW = datetime.datetime(2026, 11, 30, 15, tzinfo=datetime.UTC)  # a Monday, 10:00 in Boston


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def keep(org, language):
    return message_template_set(
        organization=org,
        actor=None,
        kind=MessageKind.UPDATE,
        language=language,
        channel=MessageChannel.SMS,
        subject="",
        body="Own {{ clinic }}",
    )


@pytest.mark.parametrize(
    ("tag", "cased"),
    [
        ("VI", "vi"),
        ("pt-br", "pt-BR"),
        ("PT-BR", "pt-BR"),
        ("zh-hant", "zh-Hant"),
        ("ZH-HANT-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("en-x-AB", "en-x-ab"),
        ("fr-CA", "fr-CA"),
    ],
)
def test_tags_take_bcp_47s_usual_case(tag, cased):
    assert language_tag_cased(tag) == cased


@pytest.mark.parametrize(("typed", "patients"), [("VI", "vi"), ("pt-br", "pt-BR")])
def test_wording_saved_in_another_case_reaches_the_patients_language(org_a, typed, patients):
    assert keep(org_a, typed).language == patients

    rendered = message_render(
        organization=org_a,
        kind=MessageKind.UPDATE,
        language=patients,
        channel=MessageChannel.SMS,
        context={"clinic": "Clinic A"},
    )
    assert rendered.body_text.startswith("Own Clinic A")


def test_saving_again_in_another_case_replaces_the_same_wording(org_a):
    keep(org_a, "vi")
    keep(org_a, "Vi")

    assert list(MessageTemplate.objects.values_list("language", flat=True)) == ["vi"]


def test_dropping_in_another_case_drops_the_wording(org_a):
    keep(org_a, "pt-BR")

    assert message_template_delete(
        organization=org_a,
        actor=None,
        kind=MessageKind.UPDATE,
        language="PT-br",
        channel=MessageChannel.SMS,
    )
    assert not MessageTemplate.objects.exists()


def test_the_editor_opens_under_the_usual_case(clinic_admin_client):
    chosen = clinic_admin_client.get(
        "/settings/messages/", {"kind": "update", "language": "pt-br", "channel": "sms"}
    )
    typed = clinic_admin_client.get("/settings/messages/update/VI/sms/")

    assert chosen.status_code == 302 and chosen.url == "/settings/messages/update/pt-BR/sms/"
    assert typed.status_code == 302 and typed.url == "/settings/messages/update/vi/sms/"
