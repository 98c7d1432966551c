"""REST API of statistics: ``/api/v1/minutas/`` (scoped reads, the PDF by token, requests of
generation allowed and denied with nothing created, mass assignment refused) and
``/api/v1/estadisticas/`` (scoped aggregates whose hidden cells cannot be recovered by
subtraction), with the one error format and constant query counts."""

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from casos.models import EstadoCaso, TipoCaso
from estadisticas import selectors
from estadisticas.models import Minuta
from estadisticas.periodos import periodo_actual, periodo_cerrado
from estadisticas.resumenes import resumenes_refrescar
from sello.demo import PDF_MINIMO

from .casos_fixtures import caso
from .conftest import INDEPENDENCIA, QUILICURA, VALPARAISO, api_client_for
from .factories import UsuarioFactory
from .test_estadisticas_minutas_web import PERIODO, estado_minutas, nueva_minuta

pytestmark = pytest.mark.django_db

MINUTAS = "/api/v1/minutas/"
ESTADISTICAS = "/api/v1/estadisticas/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def _tabla_sin_memoria() -> None:
    # The suppressed table is memoised per summary refresh; each test starts afresh.
    selectors._MEMO.clear()


@pytest.fixture
def minutas() -> dict[str, Minuta]:
    """Independencia ready, Quilicura pending (both RM), Valparaíso failed."""
    return {
        INDEPENDENCIA: nueva_minuta(INDEPENDENCIA),
        QUILICURA: nueva_minuta(QUILICURA, Minuta.Estado.PENDIENTE),
        VALPARAISO: nueva_minuta(VALPARAISO, Minuta.Estado.ERROR, error="OSError: disco lleno"),
    }


def recorrer(client: APIClient, url: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Follow the cursor pagination to the end."""
    filas: list[dict[str, Any]] = []
    response = client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        filas.extend(response.json()["results"])
        if not response.json()["next"]:
            return filas
        response = client.get(response.json()["next"])


def comunas(filas: list[dict[str, Any]]) -> list[str]:
    return sorted(f["comuna"] for f in filas)


# --- Minutas: reads ---------------------------------------------------------------------------


class TestMinutasLista:
    @pytest.mark.parametrize(
        ("nombre", "esperadas"),
        [
            ("municipal", [INDEPENDENCIA]),
            ("municipal_otra", [QUILICURA]),
            ("regional", [INDEPENDENCIA, QUILICURA]),
            ("regional_otra", [VALPARAISO]),
            ("nacional", [VALPARAISO, INDEPENDENCIA, QUILICURA]),
            ("evaluador", []),
            ("sin_rol", []),
        ],
    )
    def test_it_is_scoped_by_territory(self, nombre, esperadas, persona, minutas) -> None:
        assert comunas(recorrer(api_client_for(persona(nombre)), MINUTAS)) == sorted(esperadas)

    def test_anonymous_gets_401(self, minutas) -> None:
        response = APIClient().get(MINUTAS)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    @pytest.mark.parametrize(
        ("params", "esperadas"),
        [
            ({"estado": "lista"}, [INDEPENDENCIA]),
            ({"estado": "pendiente"}, [QUILICURA]),
            ({"comuna": VALPARAISO}, [VALPARAISO]),
            ({"region": "13"}, [INDEPENDENCIA, QUILICURA]),
            ({"periodo": PERIODO}, [VALPARAISO, INDEPENDENCIA, QUILICURA]),
            ({"periodo": "2024-S1"}, []),
        ],
    )
    def test_filters(self, params, esperadas, nacional, minutas) -> None:
        assert comunas(recorrer(api_client_for(nacional), MINUTAS, params)) == sorted(esperadas)

    @pytest.mark.parametrize(
        ("campo", "valor"),
        [("periodo", "2025-S3"), ("periodo", "x" * 20), ("estado", "terminada"), ("comuna", "131"), ("region", "RM")],
    )
    def test_bad_filters_are_400(self, campo, valor, nacional, minutas) -> None:
        response = api_client_for(nacional).get(MINUTAS, {campo: valor})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
        assert campo in response.json()["error"]["fields"]

    def test_it_describes_each_job(self, regional, minutas) -> None:
        lista = minutas[INDEPENDENCIA]
        fila = api_client_for(regional).get(f"{MINUTAS}{lista.uuid}/").json()
        assert fila == {
            "uuid": str(lista.uuid),
            "comuna": INDEPENDENCIA,
            "comuna_nombre": "Independencia",
            "region": "13",
            "region_nombre": "Metropolitana de Santiago",
            "periodo": PERIODO,
            "version_plantilla": lista.version_plantilla,
            "estado": "lista",
            "estado_label": "Lista",
            "error": None,
            "tamano": len(PDF_MINIMO),
            "solicitada_en": fila["solicitada_en"],
            "generada_en": None,
            "descarga": f"http://testserver/api/v1/minutas/{lista.uuid}/descargar/",
        }

    def test_only_sermig_staff_read_the_error(self, regional_otra, municipal_valparaiso, minutas) -> None:
        url = f"{MINUTAS}{minutas[VALPARAISO].uuid}/"
        assert api_client_for(regional_otra).get(url).json()["error"] == "OSError: disco lleno"
        fila = api_client_for(municipal_valparaiso).get(url).json()
        assert (fila["estado"], fila["error"], fila["descarga"]) == ("error", None, None)

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "evaluador", "sin_rol"])
    def test_outside_the_territory_is_404(self, nombre, persona, minutas) -> None:
        response = api_client_for(persona(nombre)).get(f"{MINUTAS}{minutas[INDEPENDENCIA].uuid}/")
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": "No encontrado."}}

    def test_query_count_does_not_grow_with_rows(self, nacional, minutas, django_assert_num_queries) -> None:
        client = api_client_for(nacional)
        # 1 token with user and municipalidad, 2 the page with comuna and región.
        with django_assert_num_queries(2):
            assert len(client.get(MINUTAS).json()["results"]) == 3
        for cut in ("13101", "13120", "13123", "05109", "05501", "08101", "09101", "10101"):
            nueva_minuta(cut)
        with django_assert_num_queries(2):
            assert len(client.get(MINUTAS).json()["results"]) == 11


class TestMinutaDescargar:
    def url(self, minuta: Minuta) -> str:
        return f"{MINUTAS}{minuta.uuid}/descargar/"

    @pytest.mark.parametrize("accept", [None, "application/pdf", "application/json, application/pdf"])
    def test_a_token_downloads_the_pdf(self, accept, municipal, minutas) -> None:
        extra = {"HTTP_ACCEPT": accept} if accept else {}
        response = api_client_for(municipal).get(self.url(minutas[INDEPENDENCIA]), **extra)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="minuta-independencia-13108-2025-S2.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF_MINIMO

    @pytest.mark.parametrize("accept", [None, "application/pdf"])
    def test_a_job_not_ready_is_409_in_json(self, accept, regional, minutas) -> None:
        extra = {"HTTP_ACCEPT": accept} if accept else {}
        response = api_client_for(regional).get(self.url(minutas[QUILICURA]), **extra)
        assert response.status_code == 409
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["error"]["code"] == "not_ready"

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "evaluador"])
    def test_outside_the_territory_is_404(self, nombre, persona, minutas) -> None:
        response = api_client_for(persona(nombre)).get(self.url(minutas[INDEPENDENCIA]))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"

    def test_anonymous_gets_401(self, minutas) -> None:
        assert APIClient().get(self.url(minutas[INDEPENDENCIA])).status_code == 401


# --- Minutas: request of generation -------------------------------------------------------------


class TestMinutaSolicitar:
    def post(self, client: APIClient, datos: dict[str, Any]) -> Any:
        return client.post(MINUTAS, datos, format="json")

    @pytest.mark.parametrize(
        ("nombre", "comuna"),
        [("municipal", INDEPENDENCIA), ("regional", QUILICURA), ("regional_otra", VALPARAISO), ("nacional", "15101")],
    )
    def test_it_queues_the_job_and_answers_202(
        self, nombre, comuna, persona, django_capture_on_commit_callbacks
    ) -> None:
        periodo = periodo_cerrado().codigo
        with django_capture_on_commit_callbacks() as callbacks:
            response = self.post(api_client_for(persona(nombre)), {"comuna": comuna, "periodo": periodo})
        assert response.status_code == 202, response.content
        minuta = Minuta.objects.get()
        assert response.json()["uuid"] == str(minuta.uuid)
        assert (response.json()["comuna"], response.json()["periodo"], response.json()["estado"]) == (
            comuna,
            periodo,
            "pendiente",
        )
        assert minuta.solicitada_por == persona(nombre)
        assert len(callbacks) == 1

    def test_asking_twice_reuses_the_job(self, municipal, django_capture_on_commit_callbacks) -> None:
        client = api_client_for(municipal)
        with django_capture_on_commit_callbacks():
            primera = self.post(client, {"comuna": INDEPENDENCIA, "periodo": PERIODO}).json()
            segunda = self.post(client, {"comuna": INDEPENDENCIA, "periodo": PERIODO}).json()
        assert primera["uuid"] == segunda["uuid"]
        assert Minuta.objects.count() == 1

    @pytest.mark.parametrize(
        ("nombre", "comuna", "status"),
        [
            ("municipal", QUILICURA, 403),
            ("municipal_otra", INDEPENDENCIA, 403),
            ("regional", VALPARAISO, 403),
            ("regional_otra", INDEPENDENCIA, 403),
            ("evaluador", INDEPENDENCIA, 403),
            ("sin_rol", INDEPENDENCIA, 403),
            ("anonimo", INDEPENDENCIA, 401),
        ],
    )
    def test_outside_the_territory_nothing_is_created(self, nombre, comuna, status, persona, minutas) -> None:
        antes = estado_minutas()
        response = self.post(api_client_for(persona(nombre)), {"comuna": comuna, "periodo": PERIODO})
        assert response.status_code == status
        assert response.json()["error"]["code"] in ("permission_denied", "not_authenticated")
        assert estado_minutas() == antes

    @pytest.mark.parametrize(
        ("datos", "campo"),
        [
            ({"comuna": INDEPENDENCIA, "periodo": PERIODO, "estado": "lista"}, "estado"),
            ({"comuna": INDEPENDENCIA, "periodo": PERIODO, "archivo": "/etc/passwd"}, "archivo"),
            ({"comuna": INDEPENDENCIA, "periodo": PERIODO, "solicitada_por": 1}, "solicitada_por"),
            ({"comuna": INDEPENDENCIA, "periodo": "2025-S3"}, "periodo"),
            ({"comuna": INDEPENDENCIA, "periodo": "2099-S1"}, "periodo"),
            ({"comuna": INDEPENDENCIA}, "periodo"),
            ({"comuna": "99999", "periodo": PERIODO}, "comuna"),
            ({"comuna": "13", "periodo": PERIODO}, "comuna"),
            ({"periodo": PERIODO}, "comuna"),
        ],
    )
    def test_bad_input_is_400_naming_the_field_and_creates_nothing(self, datos, campo, municipal) -> None:
        response = self.post(api_client_for(municipal), datos)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
        assert campo in response.json()["error"]["fields"]
        assert not Minuta.objects.exists()

    def test_the_period_message_is_spanish(self, municipal) -> None:
        response = self.post(api_client_for(municipal), {"comuna": INDEPENDENCIA, "periodo": "2025-S3"})
        assert response.json()["error"]["fields"]["periodo"] == [
            "Periodo no válido: «2025-S3». Use el formato 2026-S1 o 2026-S2."
        ]

    def test_a_non_json_body_is_400(self, municipal) -> None:
        response = api_client_for(municipal).post(MINUTAS, "{", content_type="application/json")
        assert response.status_code == 400
        assert not Minuta.objects.exists()


# --- Aggregates ---------------------------------------------------------------------------------


def casos_independencia(municipal: Any, *, trata: int = 3, otros: int = 20) -> None:
    """``trata`` trafficking cases and ``otros`` other cases in Independencia, then the summaries."""
    for _ in range(trata):
        caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.TRATA)
    for i in range(otros):
        caso(municipal, estado=EstadoCaso.DERIVADO, tipo=(TipoCaso.REGULARIZACION, TipoCaso.CONSULTA)[i % 2])
    resumenes_refrescar()


def parametros(nivel: str = "comuna", codigo: str = INDEPENDENCIA) -> dict[str, str]:
    return {"nivel": nivel, "codigo": codigo, "periodo": periodo_actual().codigo}


def celdas(cuerpo: dict[str, Any], indicador: str) -> dict[str, dict[str, Any]]:
    dimension = next(d for d in cuerpo["casos"]["dimensiones"] if d["indicador"] == indicador)
    return {c["categoria"]: c for c in dimension["celdas"]}


class TestEstadisticas:
    def test_a_small_trata_count_is_shown_as_less_than_5_and_cannot_be_subtracted(self, municipal, nacional):
        casos_independencia(municipal)
        response = api_client_for(nacional).get(ESTADISTICAS, parametros())
        assert response.status_code == 200
        cuerpo = response.json()
        tipos = celdas(cuerpo, "casos_tipo")
        assert tipos["trata"] == {
            "categoria": "trata",
            "etiqueta": "Trata o tráfico de personas",
            "valor": None,
            "texto": "< 5",
        }
        assert cuerpo["casos"]["total"] == {"valor": 23, "texto": "23"}
        # total - the published cells = the hidden ones: at least one other cell is withheld
        # ("reservado"), so the trata count is never the only unknown.
        reservadas = [c for c in tipos.values() if c["texto"] == "reservado"]
        assert reservadas
        assert all(c["valor"] is None for c in reservadas)
        for dimension in cuerpo["casos"]["dimensiones"]:
            ocultas = [c for c in dimension["celdas"] if c["valor"] is None]
            assert len(ocultas) != 1, dimension["indicador"]
            assert all(c["texto"] in ("< 5", "reservado") for c in ocultas)

    def test_the_same_cells_are_hidden_at_the_region_and_country(self, municipal, nacional) -> None:
        casos_independencia(municipal)
        client = api_client_for(nacional)
        for nivel, codigo in (("region", "13"), ("nacional", "")):
            cuerpo = client.get(ESTADISTICAS, parametros(nivel, codigo)).json()
            assert celdas(cuerpo, "casos_tipo")["trata"]["valor"] is None
            assert celdas(cuerpo, "casos_nna")["si"]["texto"] == "< 5"

    def test_it_reports_the_platform_and_the_seal(self, municipal, regional, sello_independencia) -> None:
        casos_independencia(municipal, trata=0, otros=6)
        cuerpo = api_client_for(regional).get(ESTADISTICAS, parametros("region", "13")).json()
        assert cuerpo["lugar"] == {"nivel": "region", "codigo": "13", "nombre": "Metropolitana de Santiago"}
        assert cuerpo["periodo"] == {"codigo": periodo_actual().codigo, "nombre": periodo_actual().nombre}
        assert cuerpo["umbral_supresion"] == 5
        assert set(cuerpo["plataforma"]) == {
            "capacitaciones",
            "personas_capacitadas",
            "asistencias",
            "operativos",
            "atenciones_operativos",
        }
        assert cuerpo["sello"]["comunas"] == 52
        assert {e["estado"]: e["comunas"] for e in cuerpo["sello"]["por_estado"]} == {
            "en_implementacion": 1,
            "sin_adhesion": 51,
        }

    @pytest.mark.parametrize(
        ("nombre", "nivel", "codigo", "status"),
        [
            ("municipal", "comuna", INDEPENDENCIA, 200),
            ("municipal", "comuna", QUILICURA, 404),
            ("municipal", "region", "13", 404),
            ("municipal", "nacional", "", 404),
            ("regional", "region", "13", 200),
            ("regional", "comuna", QUILICURA, 200),
            ("regional", "region", "05", 404),
            ("regional", "comuna", VALPARAISO, 404),
            ("regional", "nacional", "", 404),
            ("regional_otra", "comuna", INDEPENDENCIA, 404),
            ("nacional", "comuna", VALPARAISO, 200),
            ("nacional", "nacional", "", 200),
            ("evaluador", "region", "05", 200),
            ("sin_rol", "comuna", INDEPENDENCIA, 404),
            ("anonimo", "comuna", INDEPENDENCIA, 401),
        ],
    )
    def test_it_is_scoped_by_territory(self, nombre, nivel, codigo, status, persona) -> None:
        response = api_client_for(persona(nombre)).get(ESTADISTICAS, parametros(nivel, codigo))
        assert response.status_code == status
        if status == 404:
            assert response.json() == {"error": {"code": "not_found", "message": "No encontrado."}}

    @pytest.mark.parametrize(
        ("params", "campo"),
        [
            ({"nivel": "provincia", "codigo": "131"}, "nivel"),
            ({"nivel": "comuna", "codigo": "99999"}, "codigo"),
            ({"nivel": "comuna", "codigo": "13"}, "codigo"),
            ({"nivel": "comuna"}, "codigo"),
            ({"nivel": "region", "codigo": "99"}, "codigo"),
            ({"nivel": "nacional", "codigo": "13"}, "codigo"),
            ({"nivel": "comuna", "codigo": INDEPENDENCIA, "periodo": "2026"}, "periodo"),
            ({"nivel": "comuna", "codigo": INDEPENDENCIA, "periodo": "2026-S3"}, "periodo"),
            ({"nivel": "comuna", "codigo": "1" * 50}, "codigo"),
        ],
    )
    def test_bad_parameters_are_400(self, params, campo, nacional) -> None:
        response = api_client_for(nacional).get(ESTADISTICAS, params)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
        assert campo in response.json()["error"]["fields"]

    def test_defaults_are_the_country_and_the_current_semester(self, nacional) -> None:
        cuerpo = api_client_for(nacional).get(ESTADISTICAS).json()
        assert cuerpo["lugar"] == {"nivel": "nacional", "codigo": "", "nombre": "Chile"}
        assert cuerpo["periodo"]["codigo"] == periodo_actual().codigo
        assert cuerpo["sello"]["comunas"] == 346

    def test_query_count_does_not_grow_with_rows(self, municipal, regional, django_assert_num_queries) -> None:
        client = api_client_for(regional)
        casos_independencia(municipal, trata=1, otros=2)
        # 1 token with user and municipalidad, 2 the comuna, 3 whether it is in the región,
        # 4 the latest refresh, 5-6 the suppressed table (computed once per refresh), 7 the
        # platform figures, 8 the comunas of the place, 9 their seal snapshots, 10 the refresh's
        # time.
        with django_assert_num_queries(10):
            assert client.get(ESTADISTICAS, parametros()).status_code == 200
        otra = UsuarioFactory.municipal(QUILICURA)
        casos_independencia(municipal, trata=4, otros=30)
        for _ in range(5):
            caso(otra, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.NNA)
        resumenes_refrescar()
        with django_assert_num_queries(10):
            assert client.get(ESTADISTICAS, parametros()).status_code == 200
        # Served from the memoised table while the summaries do not change.
        with django_assert_num_queries(8):
            assert client.get(ESTADISTICAS, parametros()).status_code == 200
