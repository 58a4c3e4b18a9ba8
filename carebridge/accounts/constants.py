from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Clinic admin"  # manages users, settings and everything below
    COORDINATOR = "coordinator", "Coordinator"  # books, reschedules, keeps records
    PHYSICIAN = "physician", "Physician"  # sees schedules and patients, signs off
    NURSE = "nurse", "Nurse"  # sees schedules and patients, updates visit status
    BILLING = "billing", "Billing"  # sees schedules and demographics for claims


# Which model permissions each role's group holds; apps name their models here by label.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: ["*"],
    Role.COORDINATOR: [
        "patients.view_patient",
        "patients.add_patient",
        "patients.change_patient",
        "scheduling.view_appointment",
        "scheduling.add_appointment",
        "scheduling.change_appointment",
        "directory.view_practitioner",
        "directory.view_location",
        "scheduling.view_visittype",
        "scheduling.view_availabilityexception",
        "scheduling.add_availabilityexception",
        "scheduling.delete_availabilityexception",
    ],
    Role.PHYSICIAN: [
        "patients.view_patient",
        "scheduling.view_appointment",
        "scheduling.change_appointment",
        "directory.view_practitioner",
        "directory.view_location",
        "scheduling.view_visittype",
        "scheduling.view_availabilityexception",
    ],
    Role.NURSE: [
        "patients.view_patient",
        "scheduling.view_appointment",
        "scheduling.change_appointment",
        "directory.view_practitioner",
        "directory.view_location",
        "scheduling.view_visittype",
        "scheduling.view_availabilityexception",
    ],
    Role.BILLING: [
        "patients.view_patient",
        "scheduling.view_appointment",
        "directory.view_practitioner",
        "directory.view_location",
        "scheduling.view_visittype",
    ],
}
