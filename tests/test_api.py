"""REST API: tokens, reference data, scoped municipalities, one error format, pagination."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from municipios.models import Municipalidad

from .conftest import INDEPENDENCIA, api_client_for

pytestmark = pytest.mark.django_db


def recorrer(client: APIClient, url: str) -> list[dict]:
    """Follow the cursor pagination to the end."""
    filas: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        filas.extend(response.json()["results"])
        url = response.json()["next"]
    return filas


class TestToken:
    def test_it_works(self, municipal) -> None:
        response = APIClient().post(
            reverse("api-token"), {"username": "p.municipal", "password": "clave-de-prueba-1"}, format="json"
        )
        assert response.status_code == 200
        assert response.json() == {"token": Token.objects.get(user=municipal).key}

    def test_bad_credentials_use_the_error_format(self, municipal) -> None:
        response = APIClient().post(
            reverse("api-token"), {"username": "p.municipal", "password": "mala"}, format="json"
        )
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert error["message"] == "Los datos enviados no son válidos."
        assert error["fields"]["non_field_errors"] == ["No puede iniciar sesión con las credenciales proporcionadas."]
        assert not Token.objects.exists()

    def test_a_deactivated_user_cannot_get_nor_use_a_token(self, municipal) -> None:
        client = api_client_for(municipal)
        municipal.is_active = False
        municipal.save()
        response = APIClient().post(
            reverse("api-token"), {"username": "p.municipal", "password": "clave-de-prueba-1"}, format="json"
        )
        assert response.status_code == 400
        response = client.get(reverse("municipalidad-list"))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"

    def test_it_is_throttled(self, municipal, settings) -> None:
        from django.core.cache import cache
        from rest_framework.settings import api_settings
        from rest_framework.throttling import ScopedRateThrottle

        cache.clear()
        rates = {**api_settings.DEFAULT_THROTTLE_RATES, "auth_token": "2/min"}
        original = ScopedRateThrottle.THROTTLE_RATES
        ScopedRateThrottle.THROTTLE_RATES = rates
        try:
            client = APIClient()
            for _ in range(2):
                client.post(reverse("api-token"), {"username": "x", "password": "y"}, format="json")
            response = client.post(reverse("api-token"), {"username": "x", "password": "y"}, format="json")
        finally:
            ScopedRateThrottle.THROTTLE_RATES = original
            cache.clear()
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "throttled"


class TestReferencia:
    def test_comunas_yield_346_across_pages(self, municipal) -> None:
        client = api_client_for(municipal)
        filas = recorrer(client, reverse("comuna-list"))
        assert len(filas) == 346
        assert len({f["cut"] for f in filas}) == 346
        assert filas[0] == {
            "cut": "01101",
            "nombre": "Iquique",
            "provincia": "011",
            "provincia_nombre": "Iquique",
            "region": "01",
        }
        assert len(client.get(reverse("comuna-list")).json()["results"]) == 50

    def test_regiones(self, evaluador) -> None:
        filas = recorrer(api_client_for(evaluador), reverse("region-list"))
        assert [f["cut"] for f in filas] == [f"{n:02d}" for n in range(1, 17)]

    def test_comuna_filters_and_detail(self, regional) -> None:
        client = api_client_for(regional)
        assert len(recorrer(client, reverse("comuna-list") + "?region=05")) == 38
        assert len(recorrer(client, reverse("comuna-list") + "?provincia=135")) == 5
        assert client.get(reverse("comuna-detail", args=["05101"])).json()["nombre"] == "Valparaíso"
        assert client.get(reverse("comuna-detail", args=["99999"])).status_code == 404

    def test_page_size_is_capped(self, nacional) -> None:
        response = api_client_for(nacional).get(reverse("comuna-list"), {"page_size": 10000})
        assert len(response.json()["results"]) == 200

    def test_anonymous_gets_401_in_the_error_format(self) -> None:
        response = APIClient().get(reverse("comuna-list"))
        assert response.status_code == 401
        assert response.json() == {
            "error": {"code": "not_authenticated", "message": "Se requieren credenciales de autenticación."}
        }


class TestMunicipios:
    def test_municipal_sees_only_its_own(self, municipal) -> None:
        filas = recorrer(api_client_for(municipal), reverse("municipalidad-list"))
        assert [f["comuna"] for f in filas] == [INDEPENDENCIA]

    def test_regional_sees_its_region(self, regional) -> None:
        filas = recorrer(api_client_for(regional), reverse("municipalidad-list"))
        assert len(filas) == 52
        assert {f["region"] for f in filas} == {"13"}

    def test_nacional_and_evaluador_see_all(self, nacional, evaluador) -> None:
        assert len(recorrer(api_client_for(nacional), reverse("municipalidad-list"))) == 346
        assert len(recorrer(api_client_for(evaluador), reverse("municipalidad-list"))) == 346

    def test_users_without_territory_see_nothing(self, sin_rol) -> None:
        assert recorrer(api_client_for(sin_rol), reverse("municipalidad-list")) == []

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra"])
    def test_other_territories_answer_404(self, nombre, persona, independencia) -> None:
        response = api_client_for(persona(nombre)).get(reverse("municipalidad-detail", args=[independencia.uuid]))
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": "No encontrado."}}

    def test_detail(self, municipal, independencia) -> None:
        response = api_client_for(municipal).get(reverse("municipalidad-detail", args=[independencia.uuid]))
        assert response.status_code == 200
        assert response.json()["nombre"] == "Municipalidad de Independencia"
        assert response.json()["comuna"] == INDEPENDENCIA

    def test_a_malformed_uuid_is_a_404(self, nacional) -> None:
        response = api_client_for(nacional).get("/api/v1/municipios/no-es-uuid/")
        assert response.status_code == 404

    def test_it_is_read_only(self, nacional, independencia) -> None:
        client = api_client_for(nacional)
        url = reverse("municipalidad-detail", args=[independencia.uuid])
        response = client.patch(url, {"nombre": "Otra"}, format="json")
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"
        assert Municipalidad.objects.get(pk=independencia.pk).nombre == "Municipalidad de Independencia"

    def test_filters(self, nacional) -> None:
        client = api_client_for(nacional)
        assert len(recorrer(client, reverse("municipalidad-list") + "?region=05")) == 38
        assert [f["comuna"] for f in recorrer(client, reverse("municipalidad-list") + "?q=quilicura")] == ["13125"]
        response = client.get(reverse("municipalidad-list"), {"region": "99"})
        assert response.status_code == 400
        assert "region" in response.json()["error"]["fields"]

    def test_query_count_does_not_grow_with_rows(self, nacional, django_assert_num_queries) -> None:
        client = api_client_for(nacional)
        url = reverse("municipalidad-list")
        # 1 token with user and municipalidad, 2 the page of rows with comuna and región.
        with django_assert_num_queries(2):
            assert len(client.get(url, {"page_size": 10}).json()["results"]) == 10
        with django_assert_num_queries(2):
            assert len(client.get(url, {"page_size": 100}).json()["results"]) == 100

    def test_unknown_api_url_is_a_json_404(self, nacional) -> None:
        response = api_client_for(nacional).get("/api/v1/no-existe/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
