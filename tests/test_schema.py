"""OpenAPI: the schema is valid and documents every endpoint and error (fuzzing: test_fuzz_api.py)."""

from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def generated_schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_valid_openapi_3() -> None:
    schema = generated_schema()
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")


def test_every_api_endpoint_is_documented_with_its_errors() -> None:
    paths = generated_schema()["paths"]
    assert set(paths) == {
        "/api/v1/auth/token/",
        "/api/v1/regiones/",
        "/api/v1/regiones/{cut}/",
        "/api/v1/comunas/",
        "/api/v1/comunas/{cut}/",
        "/api/v1/municipios/",
        "/api/v1/municipios/{uuid}/",
        "/api/v1/adhesiones/",
        "/api/v1/adhesiones/{uuid}/",
        "/api/v1/adhesiones/{uuid}/transiciones/",
        "/api/v1/evidencias/",
        "/api/v1/evidencias/{uuid}/",
        "/api/v1/evidencias/{uuid}/revisar/",
        "/api/v1/casos/",
        "/api/v1/casos/{uuid}/",
        "/api/v1/casos/{uuid}/transiciones/",
        "/api/v1/casos/{uuid}/mensajes/",
        "/api/v1/capacitaciones/",
        "/api/v1/capacitaciones/{uuid}/",
        "/api/v1/dispositivos/",
        "/api/v1/dispositivos/{uuid}/",
        "/api/v1/buenas-practicas/",
        "/api/v1/buenas-practicas/{uuid}/",
        "/api/v1/minutas/",
        "/api/v1/minutas/{uuid}/",
        "/api/v1/minutas/{uuid}/descargar/",
        "/api/v1/estadisticas/",
    }
    # Tokens: obtained (POST) and revoked by their owner (DELETE).
    assert set(paths["/api/v1/auth/token/"]) == {"post", "delete"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "429"):
                assert status in operation["responses"], (path, method, status)
    # The seal's writes call services with optimistic locking and state checks.
    for path in (
        "/api/v1/adhesiones/{uuid}/transiciones/",
        "/api/v1/evidencias/",
        "/api/v1/evidencias/{uuid}/revisar/",
    ):
        assert "409" in paths[path]["post"]["responses"], path
    assert "409" not in paths["/api/v1/evidencias/"]["get"]["responses"]
    assert "409" not in paths["/api/v1/auth/token/"]["post"]["responses"]
    # Cases: transitions and messages refuse stale versions and states that do not allow them.
    for path in ("/api/v1/casos/{uuid}/transiciones/", "/api/v1/casos/{uuid}/mensajes/"):
        assert "409" in paths[path]["post"]["responses"], path


def test_the_schema_endpoint_serves_it(client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Sello Migrante API"
    assert client.get("/api/docs/").status_code == 200


def test_spectacular_command_validates(tmp_path) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
