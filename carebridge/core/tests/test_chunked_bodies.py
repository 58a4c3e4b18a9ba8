"""A body sent in chunks, without a Content-Length, is read, through the WSGI application
the web server runs."""

import io
import json
import sys

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from carebridge.patients.models import Patient
from carebridge.wsgi import application


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the handler would close the connection the test's
    transaction runs in."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _chunked_post(path: str, body: bytes, token: str) -> tuple[int, dict]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        # As the server hands it over: the decoded body, which reads to its end.
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    status: list[str] = []
    response = application(environ, lambda line, headers, *_: status.append(line))
    try:
        content = b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0]), json.loads(content)


def test_a_chunked_body_is_read(token_a, org_a):
    body = {"given_name": "Ana", "family_name": "Lima", "birth_date": "1990-01-02"}

    status, created = _chunked_post("/api/patients", json.dumps(body).encode(), token_a)

    assert status == 201
    assert Patient.objects.get(organization=org_a, public_id=created["id"]).family_name == "Lima"


def test_a_chunked_body_over_the_limit_is_refused(token_a, org_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = {"given_name": "Ana", "family_name": "L" * 200, "birth_date": "1990-01-02"}

    status, problem = _chunked_post("/api/patients", json.dumps(body).encode(), token_a)

    assert status == 413
    assert problem["message"] == "body: larger than the 100 bytes accepted"
    assert not Patient.objects.filter(organization=org_a).exists()
