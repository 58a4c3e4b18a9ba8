from django.db import models

from carebridge.accounts.models import validate_timezone
from carebridge.core.models import TenantModel
from carebridge.core.validation import validate_language_tag
from carebridge.patients.constants import ContactChannel, PayerGroup, Sex


class Patient(TenantModel):
    """A person the clinic cares for. The MRN is unique within the organization."""

    # Indexed on its own (besides the per-organization unique pair) so that a search's
    # "name prefix OR MRN" can be answered from indexes alone.
    mrn = models.CharField("MRN", max_length=40, db_index=True)
    given_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone_mobile = models.CharField(max_length=30, blank=True, help_text="E.164, e.g. +16175550100")
    phone_home = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    preferred_language = models.CharField(
        max_length=20, default="en", validators=[validate_language_tag], help_text="BCP 47 code"
    )
    preferred_channel = models.CharField(
        max_length=10, choices=ContactChannel.choices, default=ContactChannel.SMS
    )
    consent_sms = models.BooleanField("may be texted", default=False)
    consent_email = models.BooleanField("may be emailed", default=False)
    consent_phone = models.BooleanField("may be phoned", default=True)
    # When the patient opted out (e.g. replied STOP); kept so a later consent is a conscious
    # re-opt-in, not a silent reset.
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    email_opted_out_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="IANA zone for quiet hours; blank: the clinic's",
    )
    payer_group = models.CharField(
        max_length=12, choices=PayerGroup.choices, default=PayerGroup.UNKNOWN
    )
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    emergency_contact_relationship = models.CharField(max_length=50, blank=True)
    active = models.BooleanField(default=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    # Folded copies for search: lower-case, accents removed, digits only.
    search_family = models.CharField(max_length=100, editable=False, db_index=True)
    search_given = models.CharField(max_length=100, editable=False, db_index=True)
    search_middle = models.CharField(max_length=100, editable=False, blank=True, db_index=True)
    search_phone = models.CharField(max_length=30, editable=False, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "mrn"], name="patient_mrn_per_org")
        ]
        indexes = [
            models.Index(fields=["organization", "search_family", "search_given"]),
            models.Index(fields=["organization", "birth_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    @property
    def display_name(self) -> str:
        return " ".join(p for p in [self.given_name, self.middle_name, self.family_name] if p)


class PatientIdentifier(models.Model):
    """Another system's id for the patient (e.g. a Synthea id, an SSN system, a payer id)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=200)
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "system", "value"], name="patient_identifier_per_org"
            )
        ]


class PatientMerge(TenantModel):
    """One merge of a duplicate record into the record kept, with what it moved and filled,
    so that a wrong merge (two people taken for one) can be undone."""

    duplicate = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges")
    keep = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_kept")
    duplicate_was_active = models.BooleanField()
    merged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undo_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A record is merged into one other at a time: at most one merge of it stands.
            models.UniqueConstraint(
                fields=["duplicate"],
                condition=models.Q(undone_at=None),
                name="patient_merge_one_standing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.duplicate.mrn} into {self.keep.mrn}"


class PatientMergeMove(models.Model):
    """A row (a visit, a message, an identifier, ...) the merge gave the kept record."""

    merge = models.ForeignKey(PatientMerge, on_delete=models.CASCADE, related_name="moves")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merge", "content_type", "object_id"], name="patient_merge_move_once"
            )
        ]


class PatientMergeFill(models.Model):
    """A blank of the kept record that the merge filled from the duplicate, and the value."""

    merge = models.ForeignKey(PatientMerge, on_delete=models.CASCADE, related_name="fills")
    field = models.CharField(max_length=40)
    value = models.CharField(max_length=254)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merge", "field"], name="patient_merge_fill_once")
        ]

    def stands_on(self, patient: Patient) -> bool:
        """Whether the record still holds the value filled in: nobody has changed it since."""
        return getattr(patient, self.field) == self.value
