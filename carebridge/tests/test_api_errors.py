import pytest
from django.test import Client


def test_malformed_json_is_a_bad_request_naming_the_body(api_a):
    response = api_a.post("/patients", '{"given_name": "Ana",')

    assert response.status_code == 400
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("malformed_json", "body")
    assert problem["message"].startswith("body: not valid JSON")


def test_json_that_is_not_an_object_is_a_bad_request(api_a):
    response = api_a.post("/patients", "[1, 2, 3]")

    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_a_body_over_the_limit_is_refused_before_it_is_read(api_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"given_name": "' + "a" * 1000 + '"}'

    response = api_a.post("/patients", body)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_body_within_the_limit_is_read(api_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api_a.post("/patients", {"given_name": "Ana"})

    assert response.status_code == 400
    assert response.json()["field"] == "family_name"


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
def test_a_body_that_is_not_json_is_refused_naming_the_content_type(api_a, token_a, content_type):
    response = Client().post(
        "/api/patients",
        '{"given_name": "Ana", "family_name": "Lima", "birth_date": "1990-01-02"}',
        content_type=content_type,
        headers={"Authorization": f"Bearer {token_a}"},
    )

    assert response.status_code == 415
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("unsupported_media_type", "Content-Type")
    assert problem["message"].endswith(f"not {content_type or 'no Content-Type'}")
    assert api_a.get("/patients", {"q": "lima"}).json()["total"] == 0


def test_json_with_its_charset_is_read(api_a, token_a):
    response = Client().post(
        "/api/patients",
        '{"given_name": "Ana", "family_name": "Lima", "birth_date": "1990-01-02"}',
        content_type="application/json; charset=utf-8",
        headers={"Authorization": f"Bearer {token_a}"},
    )

    assert response.status_code == 201


def test_a_domain_error_keeps_its_status_code_and_field(api_a, patient_a):
    response = api_a.patch(f"/patients/{patient_a.public_id}", {"version": 7, "city": "X"})

    assert response.status_code == 412
    assert set(response.json()) == {"code", "field", "message"}


def test_a_fault_of_the_server_answers_in_the_api_shape_and_is_logged(api_a, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("carebridge.patients.api.patient_search", broken)

    response = api_a.get("/patients")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "field": None,
        "message": "the server could not complete the request",
    }
    assert response["X-Request-ID"]
    (record,) = [r for r in caplog.records if r.name == "carebridge.core.api_errors"]
    assert record.exc_info[1].args == ("disk on fire",)


@pytest.mark.parametrize("path", ["/", "/patient", "/patients/extra/parts", "/openapi"])
def test_an_address_the_api_does_not_have_is_a_404_in_the_api_shape(api_a, path):
    response = api_a.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert response.json()["message"] == f"/api{path}: the API has no such address"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/patients", {"name": "an\x00a"}, "name"),
        ("/patients", {"mrn": "\x00"}, "mrn"),
        ("/practitioners", {"language": "\x00"}, "language"),
        ("/appointments", {"status": ["booked", "\x00"]}, "status"),
    ],
)
def test_a_nul_character_in_a_search_is_refused_naming_the_parameter(api_a, path, params, field):
    response = api_a.get(path, params)

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["message"]) == (
        field,
        f"{field}: contains a NUL character (\\u0000)",
    )


def test_a_nul_character_in_a_body_is_refused_naming_the_field(api_a):
    body = {"given_name": "Ana\x00", "family_name": "Ruiz", "birth_date": "1990-01-01"}

    response = api_a.post("/patients", body)

    assert response.status_code == 400
    assert response.json()["field"] == "given_name"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/patients", {"GET", "POST"}),
        ("POST", "/slots", {"GET"}),
        ("PUT", "/openapi.json", {"GET", "HEAD"}),
    ],
)
def test_a_method_an_address_does_not_take_is_a_405_in_the_api_shape(api_a, method, path, allowed):
    response = api_a.send(method, path, {})

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert set(response["Allow"].split(", ")) == allowed
    problem = response.json()
    assert problem["code"] == "method_not_allowed"
    assert problem["message"].startswith(f"{method} /api{path}: not allowed here (allowed: ")


def test_a_post_to_an_address_the_api_does_not_have_is_a_404_not_a_csrf_page(db):
    response = Client(enforce_csrf_checks=True).post("/api/nothing-here", {})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_write_to_the_schema_is_a_405_not_a_csrf_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.put("/api/openapi.json", "{}", content_type="application/json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert client.get("/api/openapi.json").status_code == 200
