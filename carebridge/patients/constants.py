from django.db import models


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class ContactChannel(models.TextChoices):
    SMS = "sms", "Text message"  # mobile phone, needs SMS consent
    EMAIL = "email", "Email"  # needs email consent
    PHONE = "phone", "Phone call"  # a person calls
    NONE = "none", "Do not contact"  # no outreach at all


class PayerGroup(models.TextChoices):
    """Who mainly pays for the patient's care; used to check that outreach serves every group."""

    COMMERCIAL = "commercial", "Commercial insurance"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    SELF_PAY = "self-pay", "Self-pay"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


# The identifier system under which a record kept in a merge remembers the duplicate's MRN.
MERGED_MRN_SYSTEM = "urn:carebridge:merged-mrn"
