import uuid

from django.db import models

from carebridge.core.models import TenantModel, TimestampedModel
from carebridge.notifications.constants import (
    AttemptOutcome,
    CalendarMethod,
    InboundHandling,
    MessageChannel,
    MessageKind,
    MessageStatus,
)


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class OutboundMessage(TenantModel):
    """One message to one address, written in the transaction of the change that causes it
    (the transactional outbox) and delivered at least once by the worker.

    The idempotency key travels to the gateway (email Message-ID, SMS Idempotency-Key), so a
    gateway that honours it delivers the message once however often a crash makes us retry.
    A worker claims the row by setting status "sending" and next_attempt_at to the end of
    its lease: a row is claimable once next_attempt_at has passed, which also hands back the
    rows of a worker that died. A final row (sent, failed, withdrawn, suppressed) has no
    next_attempt_at, so the claim's index holds only the rows still to deliver.
    """

    # Indexed through outbox_org_recent, which it leads: every version of a row (written,
    # claimed, sent) costs an entry in each index.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, db_index=False
    )
    idempotency_key = models.CharField(
        max_length=64, unique=True, default=new_idempotency_key, editable=False
    )
    kind = models.CharField(max_length=24, choices=MessageKind.choices)
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbound_messages",
    )
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    calendar = models.TextField(blank=True, help_text="text/calendar content (RFC 5545)")
    calendar_method = models.CharField(
        max_length=8, choices=CalendarMethod.choices, blank=True, default=CalendarMethod.NONE
    )
    language = models.CharField(max_length=20, default="en", help_text="BCP 47 code")
    unsubscribe_url = models.URLField(
        max_length=500, blank=True, help_text="email only: offered as List-Unsubscribe"
    )
    # What the message is about, so it can be withdrawn or re-checked before it goes out;
    # the stamp (e.g. the visit's start) must still hold at delivery.
    topic_type = models.CharField(max_length=40, blank=True)
    topic_id = models.CharField(max_length=64, blank=True)
    topic_stamp = models.CharField(max_length=100, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            # A plain IS NOT NULL condition: SQLite uses a partial index only when the
            # query implies its condition without bound parameters, and `<= now` does.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(next_attempt_at__isnull=False),
                name="outbox_claimable",
            ),
            models.Index(fields=["topic_type", "topic_id"], name="outbox_topic"),
            models.Index(fields=["organization", "-created_at"], name="outbox_org_recent"),
            models.Index(fields=["to_address", "-sent_at"], name="outbox_sent_to"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} to {self.to_address} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at handing a message to its gateway. A worker that dies in the middle leaves
    no row: the message's attempt count then exceeds its rows."""

    message = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    worker = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.outcome} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class InboundMessage(models.Model):
    """A message a patient (or anyone) sent us. One from a number no clinic knows is kept
    with no organization, so nothing that arrives is lost."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True
    )
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    from_address = models.CharField(max_length=254)
    to_address = models.CharField(max_length=254, blank=True)
    body = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255)
    received_at = models.DateTimeField()
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    topic_type = models.CharField(max_length=40, blank=True)
    topic_id = models.CharField(max_length=64, blank=True)
    # Blank until something has handled the message.
    handled_as = models.CharField(max_length=20, choices=InboundHandling.choices, blank=True)
    needs_attention = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Gateways retry webhooks; a retry must not be handled a second time.
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"], name="inbound_once_per_provider_id"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "-received_at"], name="inbound_org_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} from {self.from_address} at {self.received_at:%Y-%m-%d %H:%M}"


class MessageTemplate(TimestampedModel):
    """A clinic's own wording for one kind of message in one language and channel; without
    a row, the shipped default file is used."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT)
    kind = models.CharField(max_length=24, choices=MessageKind.choices)
    language = models.CharField(max_length=20, help_text="BCP 47 code, e.g. en or es")
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    subject = models.CharField(max_length=255, blank=True, help_text="Email only")
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "language", "channel"],
                name="message_template_once_per_kind_language_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.language}, {self.channel})"
