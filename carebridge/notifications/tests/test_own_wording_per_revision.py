"""A clinic's own wording is read and compiled once per revision of its messaging
settings, and every way of changing it gives it a new revision."""

from carebridge.accounts.models import Organization
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.models import MessageTemplate
from carebridge.notifications.rendering import message_render
from carebridge.notifications.services.templates import (
    message_template_delete,
    message_template_preview,
    message_template_set,
)

CONTEXT = {"clinic": "Clinic A", "date": "Dec. 3, 2026", "time": "10:00 a.m."}
WORDING = {"kind": MessageKind.REMINDER, "language": "en", "channel": MessageChannel.SMS}


def render(organization) -> str:
    return message_render(organization=organization, context=CONTEXT, **WORDING).body_text


def revision(organization) -> int:
    return Organization.objects.get(pk=organization.pk).messaging_revision


def test_each_kind_of_write_renews_the_revision_even_past_the_services(org_a, org_b):
    seen = [revision(org_a)]
    row = MessageTemplate.objects.create(organization=org_a, body="One {{ date }}", **WORDING)
    seen.append(revision(org_a))
    MessageTemplate.objects.filter(pk=row.pk).update(body="Two {{ date }}")
    seen.append(revision(org_a))
    row.delete()
    seen.append(revision(org_a))

    assert len(set(seen)) == len(seen)  # every step gave a new one
    assert revision(org_b) == 0  # another clinic's is not touched


def test_wording_is_read_once_per_revision(org_a, django_assert_num_queries):
    message_template_set(
        organization=org_a, actor=None, subject="", body="Own {{ date }}", **WORDING
    )
    render(org_a)

    with django_assert_num_queries(0):
        assert render(org_a) == "Own Dec. 3, 2026\n"

    message_template_set(
        organization=org_a, actor=None, subject="", body="New {{ date }}", **WORDING
    )
    assert render(org_a) == "New Dec. 3, 2026\n"
    message_template_delete(organization=org_a, actor=None, **WORDING)
    assert "Own" not in render(org_a) and "New" not in render(org_a)


def test_a_previewed_draft_is_shown_once_and_never_sent(org_a):
    message_template_set(
        organization=org_a, actor=None, subject="", body="Kept {{ date }}", **WORDING
    )
    assert render(org_a) == "Kept Dec. 3, 2026\n"

    preview = message_template_preview(
        organization=org_a, subject="", body="Draft {{ date }}", **WORDING
    )

    assert preview.body_text.startswith("Draft ")  # on the made-up sample visit
    assert render(org_a) == "Kept Dec. 3, 2026\n"
    assert render(Organization.objects.get(pk=org_a.pk)) == "Kept Dec. 3, 2026\n"
