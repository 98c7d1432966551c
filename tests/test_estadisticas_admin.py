"""Statistics in the admin and the SERMIG landing panel.

Minutas: region-scoped, read-only, "Regenerar" calls the service on the scoped selection only.
Imports: national staff only. Summary tables: not in the admin. The landing page: the work
queues of regional staff counted for their región only (Región Metropolitana vs Valparaíso),
national staff's for the country, none for the Comité Evaluador, in a constant number of
queries; every queue links to a page that opens."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.utils import timezone

from casos.models import EstadoCaso, TipoCaso
from estadisticas import selectors
from estadisticas.models import Importacion, Minuta, ResumenMensual, ResumenSello
from estadisticas.resumenes import resumenes_refrescar
from municipios.models import Municipalidad
from sello.models import EstadoSello

from .casos_fixtures import caso
from .conftest import INDEPENDENCIA, QUILICURA, VALPARAISO, client_for
from .sello_fixtures import construir
from .test_estadisticas_minutas_web import estado_minutas, nueva_minuta

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/estadisticas/minuta/"
VINA = "05109"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def _tabla_sin_memoria() -> None:
    selectors._MEMO.clear()


def municipalidad(cut: str) -> Municipalidad:
    return Municipalidad.objects.select_related("comuna__region").get(comuna_id=cut)


@pytest.fixture
def colas(municipal, municipal_otra, municipal_valparaiso, regional, regional_otra) -> dict[str, Minuta]:
    """Work waiting in both regiones (RM | Valparaíso):

    - evidence to review: Independencia and Santiago in implementation | Valparaíso;
    - escalated cases: two unassigned in Independencia, one assigned and overdue in Quilicura,
      a draft (not in the queue) | one unassigned and overdue in Valparaíso;
    - seals: Quilicura's expires in 30 days | Viña del Mar's in 630;
    - minutas: Independencia's failed, Quilicura's ready | Valparaíso's and Viña's failed.
    """
    construir(municipalidad(INDEPENDENCIA), EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)
    construir(municipalidad("13101"), EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)
    construir(municipalidad(VALPARAISO), EstadoSello.EN_IMPLEMENTACION, municipal=municipal_valparaiso)
    quilicura = construir(municipalidad(QUILICURA), EstadoSello.CERTIFICADA, municipal=municipal_otra).adhesion
    quilicura.vigente_hasta = timezone.localdate() + timedelta(days=30)
    quilicura.save()
    construir(municipalidad(VINA), EstadoSello.CERTIFICADA, municipal=municipal_valparaiso)
    caso(municipal, estado=EstadoCaso.DERIVADO)
    caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.TRATA)
    caso(municipal_otra, estado=EstadoCaso.EN_GESTION, asignado_a=regional, vencido=True)
    caso(municipal)
    caso(municipal_valparaiso, estado=EstadoCaso.DERIVADO, vencido=True)
    resumenes_refrescar()
    return {
        INDEPENDENCIA: nueva_minuta(INDEPENDENCIA, Minuta.Estado.ERROR, error="OSError: disco lleno"),
        QUILICURA: nueva_minuta(QUILICURA),
        VALPARAISO: nueva_minuta(VALPARAISO, Minuta.Estado.ERROR, error="TimeoutError"),
        VINA: nueva_minuta(VINA, Minuta.Estado.ERROR, error="TimeoutError"),
    }


def conteos(response: Any) -> dict[str, int]:
    return {cola.titulo: cola.n for cola in response.context["panel"]["colas"]}


# --- The landing panel ----------------------------------------------------------------------------


class TestPanel:
    @pytest.mark.parametrize(
        ("nombre", "esperados", "con_sello"),
        [
            ("regional", [2, 2, 1, 1, 1], "1 / 52"),
            ("regional_otra", [1, 1, 1, 0, 2], "1 / 38"),
            ("nacional", [3, 3, 2, 1, 3], "2 / 346"),
        ],
    )
    def test_it_counts_the_work_queues_of_the_territory(self, nombre, esperados, con_sello, persona, colas) -> None:
        response = client_for(persona(nombre)).get("/admin/")
        assert response.status_code == 200
        assert list(conteos(response).values()) == esperados
        assert list(conteos(response)) == [
            "Evidencias por revisar",
            "Casos derivados sin asignar",
            "Casos con plazo vencido",
            "Sellos por vencer en 90 días",
            "Minutas con error",
        ]
        kpis = {kpi.titulo: kpi.texto for kpi in response.context["panel"]["kpis"]}
        assert kpis["Comunas con sello vigente"] == con_sello

    def test_it_is_shown_above_the_models_with_its_charts(self, regional, colas) -> None:
        html = client_for(regional).get("/admin/").content.decode()
        assert "Panel SERMIG · Metropolitana" in html
        assert html.index("Colas de trabajo") < html.index('id="content-main"')
        assert html.count("<svg") >= 2
        assert "Comunas por estado del Sello" in html
        assert "/estadisticas/region/13/" in html

    def test_every_queue_links_to_a_page_that_opens(self, regional, colas) -> None:
        client = client_for(regional)
        for cola in client.get("/admin/").context["panel"]["colas"]:
            response = client.get(cola.url)
            assert response.status_code == 200, cola.url
        expira = client.get(client.get("/admin/").context["panel"]["colas"][3].url)
        assert [a.municipalidad.comuna_id for a in expira.context["cl"].result_list] == [QUILICURA]
        fallidas = client.get(client.get("/admin/").context["panel"]["colas"][4].url)
        assert [m.comuna_id for m in fallidas.context["cl"].result_list] == [INDEPENDENCIA]

    def test_the_charts_read_the_summary_tables_of_the_region(self, regional, colas) -> None:
        graficos = client_for(regional).get("/admin/").context["panel"]["graficos"]
        sellos = {d.etiqueta: d.valor for d in graficos[0]["datos"]}
        assert sellos == {"En implementación": 2, "Certificada (vigente)": 1, "Sin adhesión": 49}
        casos = {d.etiqueta: d.texto_mostrado for d in graficos[1]["datos"]}
        assert casos == {"Derivado a SERMIG": "2", "Borrador": "1", "En gestión": "1"}

    def test_the_comite_evaluador_gets_the_stock_page(self, evaluador, colas) -> None:
        response = client_for(evaluador).get("/admin/")
        assert response.status_code == 200
        assert response.context["panel"] is None
        assert "Colas de trabajo" not in response.content.decode()

    @pytest.mark.parametrize("nombre", ["municipal", "sin_rol", "anonimo"])
    def test_people_who_are_not_staff_are_sent_to_the_admin_login(self, nombre, persona, colas) -> None:
        response = client_for(persona(nombre)).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    def test_query_count_does_not_grow_with_rows(self, regional, municipal, colas, django_assert_num_queries) -> None:
        client = client_for(regional)
        client.get("/admin/")
        # 1 session, 2 user (with its región), 3 evidence to review, 4 unassigned cases,
        # 5 overdue cases, 6 seals expiring, 7 failed minutas, 8 the latest refresh (the table
        # is memoised), 9 the comunas of the región, 10 their seal snapshots, 11 the platform
        # figures, 12 the refresh's time, 13-14 the user's and groups' permissions (the list of
        # models), 15 the recent actions of the sidebar.
        with django_assert_num_queries(15):
            client.get("/admin/")
        for _ in range(6):
            caso(municipal, estado=EstadoCaso.DERIVADO, vencido=True)
        for cut in ("13120", "13123", "13110"):
            nueva_minuta(cut, Minuta.Estado.ERROR)
        with django_assert_num_queries(15):
            response = client.get("/admin/")
        assert list(conteos(response).values()) == [2, 8, 7, 1, 4]


# --- Minutas ------------------------------------------------------------------------------------


class TestMinutaAdmin:
    @pytest.mark.parametrize(
        ("nombre", "esperadas"),
        [
            ("regional", [INDEPENDENCIA, QUILICURA]),
            ("regional_otra", [VALPARAISO, VINA]),
            ("nacional", [VALPARAISO, VINA, INDEPENDENCIA, QUILICURA]),
        ],
    )
    def test_the_changelist_is_scoped(self, nombre, esperadas, persona, colas) -> None:
        response = client_for(persona(nombre)).get(CHANGELIST)
        assert response.status_code == 200
        assert sorted(m.comuna_id for m in response.context["cl"].result_list) == sorted(esperadas)

    @pytest.mark.parametrize(("nombre", "status"), [("evaluador", 403), ("municipal", 302), ("anonimo", 302)])
    def test_others_cannot_see_it(self, nombre, status, persona, colas) -> None:
        assert client_for(persona(nombre)).get(CHANGELIST).status_code == status

    def test_it_filters_by_state_and_region(self, nacional, colas) -> None:
        response = client_for(nacional).get(CHANGELIST, {"estado__exact": "error", "comuna__region__cut__exact": "05"})
        assert sorted(m.comuna_id for m in response.context["cl"].result_list) == [VALPARAISO, VINA]

    def test_regenerar_queues_only_the_minutas_of_the_territory(
        self, regional, colas, django_capture_on_commit_callbacks
    ) -> None:
        seleccion = [colas[INDEPENDENCIA].pk, colas[VALPARAISO].pk]
        with django_capture_on_commit_callbacks() as callbacks:
            response = client_for(regional).post(
                CHANGELIST, {"action": "regenerar", "_selected_action": seleccion}, follow=True
            )
        assert response.status_code == 200
        assert "1 minuta quedó en cola para generarse." in response.content.decode()
        estados = dict(Minuta.objects.values_list("comuna_id", "estado"))
        assert (estados[INDEPENDENCIA], estados[VALPARAISO]) == ("pendiente", "error")
        assert len(callbacks) == 1

    def test_the_comite_evaluador_cannot_regenerate(self, evaluador, colas) -> None:
        antes = estado_minutas()
        response = client_for(evaluador).post(
            CHANGELIST, {"action": "regenerar", "_selected_action": [colas[INDEPENDENCIA].pk]}
        )
        assert response.status_code == 403
        assert estado_minutas() == antes

    def test_a_minuta_cannot_be_edited(self, nacional, colas) -> None:
        minuta = colas[INDEPENDENCIA]
        antes = estado_minutas()
        url = f"{CHANGELIST}{minuta.pk}/change/"
        response = client_for(nacional).post(url, {"estado": "lista", "error": ""})
        assert response.status_code == 403
        assert estado_minutas() == antes
        pagina = client_for(nacional).get(url)
        assert pagina.status_code == 200
        assert "OSError: disco lleno" in pagina.content.decode()


class TestImportacionAdmin:
    @pytest.fixture
    def importacion(self) -> Importacion:
        return Importacion.objects.create(fuente="ine_sermig_estimacion_regiones", release="2023-12", filas=17)

    def test_national_staff_read_the_imports(self, nacional, importacion) -> None:
        client = client_for(nacional)
        assert client.get("/admin/estadisticas/importacion/").status_code == 200
        assert client.get(f"/admin/estadisticas/importacion/{importacion.pk}/change/").status_code == 200

    @pytest.mark.parametrize("nombre", ["regional", "regional_otra", "evaluador"])
    def test_other_staff_cannot(self, nombre, persona, importacion) -> None:
        assert client_for(persona(nombre)).get("/admin/estadisticas/importacion/").status_code == 403

    def test_nobody_edits_an_import(self, nacional, importacion) -> None:
        url = f"/admin/estadisticas/importacion/{importacion.pk}/change/"
        assert client_for(nacional).post(url, {"release": "otra"}).status_code == 403
        importacion.refresh_from_db()
        assert importacion.release == "2023-12"


def test_the_summary_tables_are_not_in_the_admin() -> None:
    # They hold the unsuppressed small counts of sensitive cases.
    assert ResumenMensual not in admin.site._registry
    assert ResumenSello not in admin.site._registry
    assert Minuta in admin.site._registry
