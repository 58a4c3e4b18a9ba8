from carebridge.api import api

EXPECTED_PATHS = {
    "/api/patients",
    "/api/patients/{patient_id}",
    "/api/patients/{patient_id}/merge",
    "/api/patients/{patient_id}/unmerge",
    "/api/locations",
    "/api/locations/{location_id}",
    "/api/specialties",
    "/api/practitioners",
    "/api/practitioners/{practitioner_id}",
    "/api/visit-types",
    "/api/visit-types/{visit_type_id}",
    "/api/slots",
    "/api/appointments",
    "/api/appointments/{appointment_id}",
    "/api/appointments/{appointment_id}/reschedule",
    "/api/appointments/{appointment_id}/cancel",
    "/api/appointments/{appointment_id}/status",
    "/api/appointments/{appointment_id}/notes",
    "/api/appointments/{appointment_id}/confirm",
    "/api/messages",
    "/api/messages/{message_id}",
    "/api/inbound",
    "/api/inbound/{reply_id}",
    "/api/inbound/{reply_id}/resolve",
    "/api/waitlist",
    "/api/waitlist/{entry_id}",
    "/api/time-off",
    "/api/time-off/{time_off_id}",
    "/api/practitioners/{practitioner_id}/hours",
    "/api/weekly-hours/{hours_id}/end",
}


def _served_paths() -> set[str]:
    """Every operation the API routes, written the way OpenAPI writes paths."""
    patterns, _, _ = api.urls
    return {
        "/api/" + str(p.pattern).replace("<", "{").replace(">", "}")
        for p in patterns
        if p.name not in ("openapi-json", "api-root")
    }


def test_openapi_schema_loads_without_a_token_and_lists_every_path(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == EXPECTED_PATHS
    assert _served_paths() == EXPECTED_PATHS


def test_openapi_schema_shows_bearer_security_on_every_operation(client):
    schema = client.get("/api/openapi.json").json()

    assert schema["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer"}
    }
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 39
    assert all(op["security"] == [{"BearerToken": []}] for op in operations)


def test_openapi_schema_separates_input_from_output(client):
    components = client.get("/api/openapi.json").json()["components"]["schemas"]

    assert "version" not in components["PatientCreateIn"]["properties"]
    assert "id" in components["PatientOut"]["properties"]
    assert set(components["Problem"]["properties"]) >= {"code", "field", "message"}


def test_no_docs_page_that_loads_scripts_from_elsewhere(client):
    assert client.get("/api/docs").status_code == 404
    assert api.docs_url is None
