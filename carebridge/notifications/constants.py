from django.db import models


class MessageChannel(models.TextChoices):
    SMS = "sms", "Text message"  # to a mobile number (E.164) through the SMS gateway
    EMAIL = "email", "Email"  # through Django's email backend


class MessageKind(models.TextChoices):
    CONFIRMATION = "confirmation", "Booking confirmation"  # a visit was booked
    UPDATE = "update", "Visit moved"  # a visit was rescheduled
    CANCELLATION = "cancellation", "Cancellation notice"  # a visit was cancelled
    REMINDER = "reminder", "Reminder"  # ahead of a visit, at a policy offset
    OFFER = "offer", "Waitlist offer"  # a freed slot offered to a waitlisted patient
    OFFER_TAKEN = "offer_taken", "Offer already taken"  # someone else accepted first
    OFFER_WON = "offer_won", "Offer accepted"  # the patient got the offered slot
    RESCHEDULE_OPTIONS = "reschedule_options", "Reschedule options"  # numbered times to pick
    REPLY_ACK = "reply_ack", "Reply acknowledgement"  # what happened after a patient's reply
    OPT_OUT_ACK = "opt_out_ack", "Opt-out acknowledgement"  # answer to STOP
    OPT_IN_ACK = "opt_in_ack", "Opt-in acknowledgement"  # answer to START
    HELP = "help", "Help answer"  # answer to HELP: who is texting and how to stop


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its due time or its next retry
    SENDING = "sending", "Sending"  # claimed by a worker until its lease ends
    SENT = "sent", "Sent"  # the gateway accepted it
    FAILED = "failed", "Failed"  # refused for good, or retries exhausted
    WITHDRAWN = "withdrawn", "Withdrawn"  # no longer wanted (visit cancelled or moved)
    SUPPRESSED = "suppressed", "Suppressed"  # no consent, opted out or no address at delivery


# Rows a worker may claim once next_attempt_at has passed: pending ones, and sending ones
# whose lease ran out because their worker died.
CLAIMABLE_STATUSES = (MessageStatus.PENDING, MessageStatus.SENDING)
# Not sent yet and still able to go out.
UNSENT_STATUSES = CLAIMABLE_STATUSES

# Why a message was withdrawn.
WITHDRAWN_REASON = "no longer wanted"
# Why a message was withdrawn and queued again in its place.
READDRESSED_REASON = "queued again: the patient's contact details changed"

# Answers that carriers require even to a number that has just opted out.
CONSENT_EXEMPT_KINDS = frozenset({MessageKind.OPT_OUT_ACK, MessageKind.HELP})


class CalendarMethod(models.TextChoices):
    """iTIP methods (RFC 5546) of a calendar invitation attached to an email."""

    NONE = "", "No invitation"
    REQUEST = "REQUEST", "Add or update the event"
    CANCEL = "CANCEL", "Remove the event"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Sent"  # the gateway accepted the message
    TRANSIENT = "transient", "Transient failure"  # worth retrying later
    PERMANENT = "permanent", "Permanent failure"  # retrying cannot help


class InboundHandling(models.TextChoices):
    """What an incoming message was taken to mean."""

    CONFIRM = "confirm", "Confirmation"  # the patient will come
    CANCEL = "cancel", "Cancellation"  # the patient will not come
    RESCHEDULE_REQUEST = "reschedule_request", "Asks to reschedule"  # wants other times
    OPTION_CHOICE = "option_choice", "Picked an option"  # a number from reschedule options
    OPT_OUT = "opt_out", "Opt-out"  # STOP and its synonyms
    OPT_IN = "opt_in", "Opt-in"  # START / UNSTOP
    HELP = "help", "Help"  # HELP / INFO
    UNRECOGNIZED = "unrecognized", "Not understood"  # a person has to read it


# Delivery retries: the wait doubles from RETRY_BASE_SECONDS up to RETRY_CAP_SECONDS, and
# after MAX_ATTEMPTS tries the message is failed (about 1.5 hours of retrying in all).
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 30 * 60
MAX_ATTEMPTS = 8
# A claim lasts this long; a worker that dies leaves its rows claimable again after it.
LEASE_SECONDS = 120
# Messages a worker claims and sends at a time. On SQLite each claim and each record of
# outcomes holds the database's only write lock, which a booking then waits for (SQLite
# makes it sleep a millisecond or more): smaller batches keep each hold near a millisecond.
BATCH_SIZE = 100
SQLITE_BATCH_SIZE = 25
