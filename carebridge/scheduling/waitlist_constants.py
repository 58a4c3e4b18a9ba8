"""Choices of the waitlist and of the backfill of freed slots."""

from django.db import models


class WaitlistPriority(models.TextChoices):
    URGENT = "urgent", "Urgent"  # offered first: clinically should be seen soon
    HIGH = "high", "High"
    ROUTINE = "routine", "Routine"


# Offers go to higher priority first; within one priority, to who waited longest.
PRIORITY_ORDER = (WaitlistPriority.URGENT, WaitlistPriority.HIGH, WaitlistPriority.ROUTINE)


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"  # eligible for the next freed slot
    OFFERED = "offered", "Offered"  # holds an open offer right now
    BOOKED = "booked", "Booked"  # took a freed slot; the visit is on the entry
    REMOVED = "removed", "Removed"  # taken off the list by a coordinator
    EXPIRED = "expired", "Expired"  # its latest date passed without a slot


# Entries still on the list.
OPEN_ENTRY_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class BackfillSlotStatus(models.TextChoices):
    OPEN = "open", "Open"  # freed time being offered to the waitlist
    FILLED = "filled", "Filled"  # a waitlisted patient took it
    EXPIRED = "expired", "Expired"  # its start came too close, or the desk booked it first


class OfferStatus(models.TextChoices):
    OPEN = "open", "Open"  # held for the patient until expires_at
    ACCEPTED = "accepted", "Accepted"  # the patient took the slot
    TAKEN = "taken", "Taken by another"  # another patient (or the desk) was first
    DECLINED = "declined", "Declined"  # the patient said no
    EXPIRED = "expired", "Expired"  # the hold ran out, or the slot expired
