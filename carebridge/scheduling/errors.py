"""Stable error codes of the scheduling domain."""

from enum import StrEnum


class SchedulingErrorCode(StrEnum):
    SLOT_TAKEN = "slot_taken"  # the practitioner already has a visit then
    PATIENT_BUSY = "patient_busy"  # the patient already has a visit then
    OUTSIDE_AVAILABILITY = "outside_availability"  # not in working hours, or a closed day
    NOT_AT_LOCATION = "not_at_location"  # the practitioner does not work at that location
    PATIENT_KIND = "patient_kind"  # a new-patient visit for a known patient, or the reverse
    SPECIALTY_MISMATCH = "specialty_mismatch"  # the visit type needs another specialty
    ILLEGAL_TRANSITION = "illegal_transition"  # the lifecycle does not allow that step
    TOO_EARLY = "too_early"  # e.g. a no-show before the visit was due
