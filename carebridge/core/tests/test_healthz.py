from django.test import Client


def test_answers_without_login(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_answers_a_head_request_as_load_balancers_send_it(client, db):
    assert client.head("/healthz").status_code == 200


def test_only_reads(db):
    # with the browser's CSRF check on, as a real client meets it
    assert Client(enforce_csrf_checks=True).post("/healthz").status_code == 405
