import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import DomainError, InvalidInput
from carebridge.scheduling.models import AppointmentHistory
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.confirmations import appointment_confirm
from carebridge.scheduling.tests.messaging import NOW, book, reachable_patient


@pytest.fixture
def appointment(clinic_a, time_machine):
    time_machine.move_to(NOW, tick=False)
    return book(clinic_a, reachable_patient(clinic_a.organization))


def test_confirm_records_when_and_how(appointment, coordinator_a):
    confirmed = appointment_confirm(appointment=appointment, via="phone", actor=coordinator_a)

    appointment.refresh_from_db()
    assert (appointment.confirmed_at, appointment.confirmed_via) == (NOW, "phone")
    assert confirmed.version == appointment.version == 1
    history = AppointmentHistory.objects.get(appointment=appointment, action="confirm")
    assert (history.changed_by, history.reason) == (coordinator_a, "confirmed via phone")
    assert AuditEntry.objects.filter(
        object_ref=str(appointment.public_id), detail__startswith="confirm"
    ).exists()


def test_confirming_twice_keeps_the_first(appointment, time_machine):
    appointment_confirm(appointment=appointment, via="sms")
    time_machine.shift(3600)

    again = appointment_confirm(appointment=appointment, via="link")

    assert (again.confirmed_at, again.confirmed_via) == (NOW, "sms")
    assert AppointmentHistory.objects.filter(appointment=appointment, action="confirm").count() == 1


def test_a_cancelled_visit_cannot_be_confirmed(appointment):
    appointment_cancel(appointment=appointment, actor=None, reason="flu")

    with pytest.raises(DomainError) as error:
        appointment_confirm(appointment=appointment, via="sms")
    assert error.value.code == "illegal_transition"


def test_unknown_channel_is_refused(appointment):
    with pytest.raises(InvalidInput):
        appointment_confirm(appointment=appointment, via="pigeon")
