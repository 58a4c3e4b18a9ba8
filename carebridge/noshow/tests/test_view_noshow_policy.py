import pytest

from carebridge.accounts.services import user_create
from carebridge.noshow.models import NoShowPolicy

pytestmark = pytest.mark.django_db
FORM = {
    "medium_from": "0.1",
    "high_from": "0.25",
    "call_days": "10",
    "extra_reminder_hours": "12",
    "overbook_cap": "2",
}


@pytest.fixture
def admin_a(org_a):
    return user_create(organization=org_a, username="admin-a", password="x" * 20, role="admin")


def test_an_admin_saves_the_policy(client, admin_a, org_a):
    client.force_login(admin_a)

    response = client.post("/noshow/policy/", FORM)

    assert response.status_code == 302
    policy = NoShowPolicy.objects.get(organization=org_a)
    assert (policy.high_from, policy.call_days, policy.overbook_cap) == (0.25, 10, 2)
    assert 'id="policy"' in client.get("/noshow/").content.decode()


def test_bands_out_of_order_are_shown_next_to_the_field(client, admin_a):
    client.force_login(admin_a)

    response = client.post("/noshow/policy/", FORM | {"medium_from": "0.3"})

    assert response.status_code == 400
    assert 'id="id_high_from_error"' in response.content.decode()
    assert not NoShowPolicy.objects.exists()


def test_a_coordinator_may_not(client, coordinator_a):
    client.force_login(coordinator_a)

    assert client.post("/noshow/policy/", FORM).status_code == 403
    assert 'id="policy"' not in client.get("/noshow/").content.decode()
    assert not NoShowPolicy.objects.exists()


def test_an_admin_of_another_clinic_changes_only_their_own(client, org_a, org_b):
    admin_b = user_create(organization=org_b, username="admin-b", password="x" * 20, role="admin")
    client.force_login(admin_b)

    client.post("/noshow/policy/", FORM)

    assert list(NoShowPolicy.objects.values_list("organization", flat=True)) == [org_b.pk]
