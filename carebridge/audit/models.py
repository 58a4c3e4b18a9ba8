from django.db import models

from carebridge.audit.constants import AuditAction, AuditOutcome


class AuditChainHead(models.Model):
    """The newest hash of an organization's audit chain; locked to append in order."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.PROTECT, related_name="audit_head"
    )
    last_hash = models.CharField(max_length=64)
    last_sequence = models.BigIntegerField(default=0)


class AuditEntry(models.Model):
    """One access to patient data. Append-only: database triggers refuse UPDATE and DELETE.

    `entry_hash` covers every field and the previous entry's hash, so an edited, deleted or
    reordered entry breaks the chain that `carebridge audit --verify` walks.
    """

    # Reads are always one organization's: the constraint and the index below, which the
    # organization leads, serve them (patient_ref included), so neither field has an index
    # of its own, which would only cost every entry's write.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, db_index=False
    )
    sequence = models.BigIntegerField()
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    token_id = models.BigIntegerField(null=True, blank=True)
    patient_ref = models.CharField(max_length=64, blank=True)
    object_type = models.CharField(max_length=50)
    object_ref = models.CharField(max_length=64)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices)
    client_address = models.CharField(max_length=45, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "audit entries"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sequence"], name="audit_sequence_unique_per_org"
            )
        ]
        indexes = [models.Index(fields=["organization", "patient_ref", "occurred_at"])]
