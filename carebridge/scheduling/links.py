"""Signed links that let a patient act on a visit or on their email without logging in.

The token is signed with the secret key (django.core.signing, HMAC-SHA256), with a salt per
purpose so a token made for one page is refused by another. A visit link expires when the
visit starts at the latest; the portal also refuses it once the visit's current start has
passed (the visit may have moved earlier since the link was sent).
"""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, reverse

from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record
from carebridge.core import clock
from carebridge.core.errors import DomainError
from carebridge.patients.models import Patient
from carebridge.scheduling.models import Appointment

VISIT_SALT = "carebridge.portal.visit"
EMAIL_OPT_OUT_SALT = "carebridge.portal.email-opt-out"
# An unsubscribe link in an old email should keep working for a long time.
EMAIL_OPT_OUT_MAX_AGE = datetime.timedelta(days=400)
VISIT_ACTIONS = ("confirm", "cancel", "reschedule")


class LinkInvalid(DomainError):
    code = "link_invalid"
    http_status = 404


class LinkExpired(DomainError):
    code = "link_expired"
    http_status = 410


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


# Signed tokens use only characters a path keeps as they are (letters, digits, "-_:."), so
# the path of a stand-in token shows where any token goes.
TOKEN_STAND_IN = "token"


def token_url(name: str, token: str) -> str:
    """The absolute address of the portal page `name` (a URL name taking one token).

    The page's path is worked out once, around a stand-in token: a booking's messages
    carry five of these, and Django's reverse() cost more than signing the token."""
    before, after = _around_token(name, get_script_prefix())
    return absolute(f"{before}{token}{after}")


@functools.lru_cache(maxsize=64)
def _around_token(name: str, script_prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[TOKEN_STAND_IN]).rpartition(TOKEN_STAND_IN)
    return before, after


def visit_token(*, appointment_public_id: str, expires_at: datetime.datetime) -> str:
    payload = {"a": appointment_public_id, "e": int(expires_at.timestamp())}
    return signing.dumps(payload, salt=VISIT_SALT, compress=True)


def visit_token_read(token: str) -> str:
    """The appointment's public id the token was made for; LinkInvalid or LinkExpired."""
    try:
        payload = signing.loads(token, salt=VISIT_SALT)
    except signing.BadSignature as error:
        raise LinkInvalid("link: this link is not valid", field="token") from error
    if clock.now().timestamp() >= payload["e"]:
        raise LinkExpired("link: this link has expired", field="token")
    return payload["a"]


def visit_links(*, appointment_public_id: str, expires_at: datetime.datetime) -> dict[str, str]:
    """manage_url and one url per action, for message templates."""
    token = visit_token(appointment_public_id=appointment_public_id, expires_at=expires_at)
    links = {"manage_url": token_url("portal:visit", token)}
    for action in VISIT_ACTIONS:
        links[f"{action}_url"] = token_url(f"portal:visit_{action}", token)
    return links


def email_opt_out_url(*, patient_public_id: str) -> str:
    token = signing.dumps({"p": patient_public_id}, salt=EMAIL_OPT_OUT_SALT)
    return token_url("portal:email_opt_out", token)


def email_opt_out_token_read(token: str) -> str:
    """The patient's public id; LinkInvalid or LinkExpired."""
    try:
        payload = signing.loads(
            token, salt=EMAIL_OPT_OUT_SALT, max_age=EMAIL_OPT_OUT_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as error:
        raise LinkExpired("link: this link has expired", field="token") from error
    except signing.BadSignature as error:
        raise LinkInvalid("link: this link is not valid", field="token") from error
    return payload["p"]


def appointment_for_link(*, token: str) -> Appointment:
    """The visit a link was made for, read without a login and audited as the patient's.

    LinkInvalid for a forged or unknown link; LinkExpired once the visit has started.
    """
    public_id = visit_token_read(token)
    appointment = (
        Appointment.objects.select_related(
            "organization", "patient", "practitioner", "location", "visit_type"
        )
        .filter(public_id=public_id)
        .first()
    )
    if appointment is None:
        raise LinkInvalid("link: this link is not valid", field="token")
    if appointment.start <= clock.now():
        raise LinkExpired("link: this link has expired", field="token")
    audit_record(
        organization_id=appointment.organization_id,
        actor=None,
        action=AuditAction.READ,
        target=AuditTarget(
            "Appointment", str(appointment.public_id), str(appointment.patient.public_id)
        ),
        detail="shown through the patient's link",
    )
    return appointment


def patient_for_opt_out_link(*, token: str) -> Patient:
    public_id = email_opt_out_token_read(token)
    patient = Patient.objects.select_related("organization").filter(public_id=public_id).first()
    if patient is None:
        raise LinkInvalid("link: this link is not valid", field="token")
    return patient
