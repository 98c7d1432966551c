"""Statistics dashboards (comuna, región, country), their map data and the public registry's map.

Given data built with the fast builders and the summary tables refreshed, when a persona opens
a page, then it sees its territory's figures, suppressed cells as "< 5" / "reservado" (never
their value), official figures with their source and release, and a constant number of
queries that never touches the case table.
"""

import json
import re
from typing import Any

import pytest
from django.utils import timezone

from casos.models import TipoCaso
from estadisticas.minuta_datos import VERSION_PLANTILLA
from estadisticas.models import CifraOficial, Fuente, Importacion, IndicadorOficial, Minuta
from estadisticas.periodos import periodo_actual
from estadisticas.resumenes import resumenes_refrescar
from municipios.models import Municipalidad
from sello.models import EstadoSello
from sello.services.evidencias import puntaje_registrar

from .casos_fixtures import caso
from .conftest import client_for
from .sello_fixtures import construir

pytestmark = pytest.mark.django_db

COMUNA = "/estadisticas/comuna/13108/"
REGION = "/estadisticas/region/13/"
NACIONAL = "/estadisticas/nacional/"


def sellar(cut: str, estado: EstadoSello, municipal: Any) -> None:
    municipalidad = Municipalidad.objects.select_related("comuna__region").get(comuna_id=cut)
    sello = construir(municipalidad, estado, municipal=municipal)
    puntaje_registrar(adhesion=sello.adhesion)


def importacion(fuente: Fuente, release: str = "2023-12") -> Importacion:
    return Importacion.objects.create(
        fuente=fuente, release=release, estado=Importacion.Estado.COMPLETADA, terminado_en=timezone.now()
    )


def celdas(html: str, encabezado: str) -> dict[str, str]:
    """The rows (label -> text) of the dimension table titled ``encabezado``."""
    seccion = html.split(f">{encabezado}</h3>", 1)[1].split("</section>", 1)[0]
    tabla = seccion.split('<table class="table">')[-1]
    return dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', tabla))


class TestInicio:
    @pytest.mark.parametrize(
        ("nombre", "destino"),
        [
            ("municipal", COMUNA),
            ("regional", REGION),
            ("regional_otra", "/estadisticas/region/05/"),
            ("nacional", NACIONAL),
            ("evaluador", NACIONAL),
        ],
    )
    def test_it_sends_each_role_to_its_dashboard(self, nombre, destino, persona) -> None:
        response = client_for(persona(nombre)).get("/estadisticas/")
        assert response.status_code == 302
        assert response["Location"] == destino

    def test_without_role_it_is_forbidden_and_anonymous_goes_to_login(self, sin_rol) -> None:
        assert client_for(sin_rol).get("/estadisticas/").status_code == 403
        assert client_for(sin_rol).get(COMUNA).status_code == 403
        assert client_for(sin_rol).get("/estadisticas/mapa/13.json").status_code == 403
        response = client_for(None).get("/estadisticas/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_the_nav_links_statistics_for_roles_only(self, municipal, evaluador) -> None:
        assert 'href="/estadisticas/"' in client_for(municipal).get("/sello/notificaciones/").content.decode()
        assert 'href="/estadisticas/"' in client_for(evaluador).get("/sello/notificaciones/").content.decode()
        assert 'href="/estadisticas/"' not in client_for(None).get("/registro/").content.decode()


class TestSupresion:
    @pytest.fixture
    def trata(self, municipal) -> None:
        """Independencia: 3 trata cases and 20 others."""
        for _ in range(3):
            caso(municipal, tipo=TipoCaso.TRATA)
        for _ in range(20):
            caso(municipal, tipo=TipoCaso.REGULARIZACION)
        resumenes_refrescar()

    def test_a_small_sensitive_count_shows_as_less_than_5_and_cannot_be_subtracted(self, municipal, trata) -> None:
        html = client_for(municipal).get(COMUNA).content.decode()

        tipos = celdas(html, "Casos por tipo")
        assert tipos["Trata o tráfico de personas"] == "&lt; 5"
        # The other sensitive types are hidden too (zero included), and a complementary cell:
        # total - published types is the sum of several hidden cells, never the trata count.
        assert "reservado" in tipos.values()
        publicados = sum(int(t) for t in tipos.values() if t.isdigit())
        assert 23 - publicados != 3
        assert len([t for t in tipos.values() if not t.isdigit()]) >= 2
        nna = celdas(html, "Casos de niños, niñas y adolescentes")
        assert nna["NNA"] == "&lt; 5"
        assert nna["Personas adultas"] == "reservado"  # 23 - adults would give the NNA count
        assert "Trata o tráfico de personas: 3" not in html  # nor in the chart's titles
        assert "Trata o tráfico de personas: &lt; 5" in html
        assert "3" not in tipos.values()

    def test_the_region_shows_the_same_hidden_cells(self, regional, trata) -> None:
        html = client_for(regional).get(REGION).content.decode()
        fila = re.search(r">Independencia</a></th>\s*<td>[^<]*</td><td>[^<]*</td><td>([^<]+)</td>", html)
        assert fila is not None
        assert fila.group(1) == "23"
        assert ">3<" not in html

    def test_a_hidden_period_total_hides_the_months(self, municipal) -> None:
        caso(municipal, tipo=TipoCaso.TRATA)
        resumenes_refrescar()
        html = client_for(municipal).get(COMUNA).content.decode()
        assert "Casos por mes de ingreso" not in html
        assert "El detalle mensual no se muestra" in html


class TestComuna:
    def test_it_shows_cases_platform_seal_and_minutas(self, municipal, regional, sello_independencia) -> None:
        caso(municipal, vencido=True)
        puntaje_registrar(adhesion=sello_independencia.adhesion)
        Minuta.objects.create(comuna_id="13108", periodo=periodo_actual().codigo, version_plantilla=VERSION_PLANTILLA)
        resumenes_refrescar()

        response = client_for(municipal).get(COMUNA)

        assert response.status_code == 200
        html = response.content.decode()
        assert response.context["total"].texto == "1"
        assert response.context["vencidos"].texto == "1"
        assert "Casos por mes de ingreso" in html
        assert "En implementación" in html
        assert "Institucionalidad" in html
        assert "Mediana regional" in html
        assert 'href="/estadisticas/minutas/?comuna=13108"' in html
        assert "Pendiente" in html
        assert "Ver la región" not in html  # the municipality has no regional dashboard

    def test_a_comuna_without_comunal_estimate_says_so_and_shows_the_region(self, nacional) -> None:
        regiones = importacion(Fuente.INE_SERMIG_RESUMEN_REGIONES)
        comunas = importacion(Fuente.INE_SERMIG_RESUMEN_COMUNAS, "2024-06")
        for anio, valor in ((2021, 900_000), (2022, 1_000_000)):
            CifraOficial.objects.create(
                importacion=regiones, indicador=IndicadorOficial.EXTRANJEROS, region_id="13", anio=anio, valor=valor
            )
        CifraOficial.objects.create(
            importacion=regiones,
            indicador=IndicadorOficial.EXTRANJEROS_PAIS,
            region_id="13",
            anio=2022,
            categoria="Venezuela",
            valor=400_000,
        )
        CifraOficial.objects.create(
            importacion=comunas,
            indicador=IndicadorOficial.EXTRANJEROS,
            region_id="13",
            comuna_id="13101",
            anio=2022,
            valor=180_000,
        )

        CifraOficial.objects.create(
            importacion=importacion(Fuente.SERMIG_RESIDENCIAS_RESUMEN_COMUNAS, "2025-01"),
            indicador=IndicadorOficial.RT_SOLICITUDES,
            region_id="13",
            comuna_id="13101",
            anio=2024,
            valor=12_345,
        )

        sin = client_for(nacional).get(COMUNA).content.decode()
        con = client_for(nacional).get("/estadisticas/comuna/13101/").content.decode()

        assert "no tiene una estimación comunal oficial" in sin
        assert "Región Metropolitana" in sin
        assert "1.000.000" in sin
        assert "Venezuela" in sin
        assert "resumen por región, publicación 2023-12." in sin
        assert "no tiene una estimación comunal oficial" not in con
        assert "180.000" in con
        assert "publicación 2024-06." in con
        assert "<td>12.345</td>" in con
        assert "resumen por comuna, publicación 2025-01." in con

    def test_a_regional_sees_its_comunas_and_a_link_to_its_region(self, regional) -> None:
        response = client_for(regional).get("/estadisticas/comuna/13125/")
        assert response.status_code == 200
        assert 'href="/estadisticas/region/13/?periodo=' in response.content.decode()

    def test_an_unknown_comuna_is_a_404(self, nacional) -> None:
        assert client_for(nacional).get("/estadisticas/comuna/99999/").status_code == 404


class TestPeriodo:
    def test_an_invalid_period_says_so_and_shows_the_current_one(self, municipal) -> None:
        response = client_for(municipal).get(COMUNA, {"periodo": "2026-S3"})
        assert response.status_code == 200
        assert "Periodo no válido" in response.content.decode()
        assert response.context["periodo"] == periodo_actual()

    def test_a_future_period_is_refused(self, regional) -> None:
        response = client_for(regional).get(REGION, {"periodo": f"{periodo_actual().anio + 2}-S1"})
        assert response.status_code == 200
        assert "aún no comienza" in response.content.decode()
        assert response.context["periodo"] == periodo_actual()

    def test_a_past_period_is_shown_and_offered(self, nacional) -> None:
        anterior = periodo_actual().anterior
        response = client_for(nacional).get(NACIONAL, {"periodo": anterior.codigo})
        assert response.context["periodo"] == anterior
        assert len(response.context["periodos"]) == 6
        assert f'<option value="{anterior.codigo}" selected>' in response.content.decode()


class TestRegion:
    def test_it_shows_seals_cases_evidence_and_minutas(self, regional, municipal, sello_independencia) -> None:
        sellar("13125", EstadoSello.CERTIFICADA, municipal)
        caso(municipal, vencido=True)
        Minuta.objects.create(
            comuna_id="13108",
            periodo=periodo_actual().codigo,
            version_plantilla=VERSION_PLANTILLA,
            estado=Minuta.Estado.ERROR,
        )
        resumenes_refrescar()

        response = client_for(regional).get(REGION)

        html = response.content.decode()
        kpis = dict(response.context["kpis"])
        assert kpis["Comunas en el programa"] == "2"
        assert kpis["Comunas con sello vigente"] == "1"
        assert kpis["Evidencias por revisar"] == "1"
        assert kpis["Casos con plazo vencido"] == "1"
        assert {e: n for e, _c, n in response.context["filas_sello"]} == {
            "En implementación": 1,
            "Certificada (vigente)": 1,
            "Sin adhesión": 50,
        }
        assert dict(response.context["minutas"]) == {
            "Pendiente": 0,
            "Generando": 0,
            "Lista": 0,
            "Error": 1,
            "Sin solicitar": 51,
        }
        assert len(response.context["comunas"]) == 52
        assert 'data-estados="/estadisticas/mapa/13.json?periodo=' in html
        assert "<noscript>" in html
        assert 'src="/estadisticas/mapa/13.svg?periodo=' in html
        assert html.count("<svg") >= 2  # seal states and cases by state


class TestNacional:
    def test_it_shows_every_region_with_charts_and_the_map(self, nacional, municipal) -> None:
        caso(municipal, vencido=True)
        resumenes_refrescar()

        response = client_for(nacional).get(NACIONAL)

        filas = response.context["filas"]
        assert len(filas) == 16
        rm = next(f for f in filas if f["region"].cut == "13")
        assert (rm["comunas"], rm["en_programa"], rm["vencidos"]) == (52, 0, "1")
        html = response.content.decode()
        assert "Casos por región" in html
        assert "Comunas con sello vigente por región" in html
        assert 'data-estados="/estadisticas/mapa/nacional.json?periodo=' in html
        assert 'src="/estadisticas/mapa/nacional.svg?periodo=' in html

    def test_the_comite_evaluador_has_no_minutas(self, evaluador, nacional) -> None:
        # The Comité Evaluador has no access to minutas: no section, column, KPI or link.
        for url in (NACIONAL, REGION, COMUNA):
            html = client_for(evaluador).get(url).content.decode()
            assert "Minutas" not in html
            assert "/estadisticas/minutas/" not in html
        assert "Minutas listas" in client_for(nacional).get(NACIONAL).content.decode()

    def test_the_static_national_map_draws_every_comuna(self, evaluador) -> None:
        response = client_for(evaluador).get("/estadisticas/mapa/nacional.svg")
        assert response.status_code == 200
        assert response.content.decode().count("<path") == 345  # Antártica has no polygon


class TestMapa:
    def test_it_gives_the_seal_state_of_every_comuna_of_the_region(self, regional, municipal) -> None:
        sellar("13125", EstadoSello.CERTIFICADA, municipal)
        resumenes_refrescar()

        datos = client_for(regional).get("/estadisticas/mapa/13.json").json()

        assert datos["region"] == "13"
        assert len(datos["estados"]) == 52
        assert datos["estados"]["13125"] == {
            "estado": "certificada",
            "etiqueta": "Certificada (vigente)",
            "color": "#1b7837",
        }
        assert datos["estados"]["13108"]["estado"] == "sin_adhesion"
        assert {e["etiqueta"] for e in datos["leyenda"]} == {"Certificada (vigente)", "Sin adhesión"}

    def test_the_national_map_is_for_national_staff(self, nacional, regional, municipal) -> None:
        datos = client_for(nacional).get("/estadisticas/mapa/nacional.json").json()
        assert datos["region"] is None
        assert len(datos["estados"]) == 346
        assert client_for(regional).get("/estadisticas/mapa/nacional.json").status_code == 403
        assert client_for(municipal).get("/estadisticas/mapa/nacional.json").status_code == 403
        assert client_for(nacional).get("/estadisticas/mapa/99.json").status_code == 404

    def test_the_svg_draws_the_region(self, regional) -> None:
        response = client_for(regional).get("/estadisticas/mapa/13.svg")
        assert response["Content-Type"] == "image/svg+xml"
        assert response.content.decode().count("<path") == 52


class TestRegistroPublico:
    def test_the_map_tells_only_whether_the_seal_is_in_force(self, municipal, sello_independencia) -> None:
        sellar("13125", EstadoSello.CERTIFICADA, municipal)
        sellar("13101", EstadoSello.VENCIDA, municipal)
        resumenes_refrescar()

        response = client_for(None).get("/registro/mapa.json")

        datos = response.json()
        assert len(datos["estados"]) == 346
        assert {e["estado"] for e in datos["estados"].values()} == {"vigente", "sin_sello_vigente"}
        assert datos["estados"]["13125"]["etiqueta"] == "Sello vigente"
        assert datos["estados"]["13108"]["etiqueta"] == "Sin sello vigente"
        assert datos["estados"]["13101"]["etiqueta"] == "Sin sello vigente"
        texto = response.content.decode()
        for interno in ("en_implementacion", "certificada", "vencida", "Certificada", "implementaci"):
            assert interno not in texto

    def test_a_region_filter_narrows_the_map(self, municipal) -> None:
        datos = client_for(None).get("/registro/mapa.json", {"region": "05"}).json()
        assert datos["region"] == "05"
        assert len(datos["estados"]) == 38
        assert client_for(None).get("/registro/mapa.json", {"region": "99"}).status_code == 400
        html = client_for(None).get("/registro/", {"region": "05"}).content.decode()
        assert 'data-estados="/registro/mapa.json?region=05"' in html
        assert 'src="/registro/mapa.svg?region=05"' in html

    def test_the_static_map_has_no_internal_states(self, municipal, sello_independencia) -> None:
        response = client_for(None).get("/registro/mapa.svg", {"region": "13"})
        svg = response.content.decode()
        assert response["Content-Type"] == "image/svg+xml"
        assert svg.count("<path") == 52
        assert "implementaci" not in svg
        assert "Sin adhesión" not in svg


class TestConsultas:
    """Exact, constant query counts; the case table is never read (only the summaries)."""

    def medir(self, client, url: str, esperadas: int, django_assert_num_queries) -> Any:
        client.get(url)  # the period's suppressed case table is memoised per refresh
        with django_assert_num_queries(esperadas) as capturadas:
            response = client.get(url)
        assert response.status_code == 200
        assert not [q["sql"] for q in capturadas.captured_queries if "casos_caso" in q["sql"]]
        return response

    def datos(self, municipal: Any, muchos: bool) -> None:
        cuts = ["13108", "13125", "13101", "13120", "13501"] if muchos else ["13108"]
        for i, cut in enumerate(cuts):
            sellar(cut, [EstadoSello.EN_IMPLEMENTACION, EstadoSello.CERTIFICADA][i % 2], municipal)
            Minuta.objects.create(comuna_id=cut, periodo=periodo_actual().codigo, version_plantilla=VERSION_PLANTILLA)
        for tipo in list(TipoCaso)[: 9 if muchos else 1]:
            caso(municipal, tipo=tipo, vencido=True)
        if muchos:
            Minuta.objects.create(comuna_id="13108", periodo=periodo_actual().anterior.codigo, version_plantilla=1)
        anios = range(2018, 2024) if muchos else [2023]
        paises = ["Venezuela", "Perú", "Haití", "Colombia", "Bolivia", "Argentina"] if muchos else ["Venezuela"]
        estimaciones = importacion(Fuente.INE_SERMIG_RESUMEN_COMUNAS)
        residencias = importacion(Fuente.SERMIG_RESIDENCIAS_RESUMEN_COMUNAS)
        totales = ((IndicadorOficial.EXTRANJEROS, estimaciones), (IndicadorOficial.RT_SOLICITUDES, residencias))
        por_pais = ((IndicadorOficial.EXTRANJEROS_PAIS, estimaciones), (IndicadorOficial.OTORGADAS_PAIS, residencias))
        lugar = {"region_id": "13", "comuna_id": "13108"}
        for anio in anios:
            for indicador, imp in totales:
                CifraOficial.objects.create(importacion=imp, indicador=indicador, anio=anio, valor=40_000, **lugar)
        for pais in paises:
            for indicador, imp in por_pais:
                CifraOficial.objects.create(
                    importacion=imp, indicador=indicador, anio=2023, categoria=pais, valor=900, **lugar
                )
        resumenes_refrescar()

    @pytest.mark.parametrize("muchos", [False, True])
    def test_comuna(self, muchos, municipal, django_assert_num_queries) -> None:
        self.datos(municipal, muchos)
        # 1 session, 2 user (with municipality and región), 3 the comuna and its región, 4 the
        # latest refresh (memo key of the case table); the minuta's figures: 5 the latest
        # refresh ("as of"), 6-7 the comuna's and the región's estimates, 8-9 top countries
        # (import, rows), 10 population, 11 the región's comunal estimates (median), 12-15 four
        # residence figures, 16-17 residence countries, 18 the región's comunas (case median),
        # 19 cases per month, 20 platform, 21 the región's comunas (seal), 22 seal snapshots;
        # 23 unread notifications (nav), 24 the comuna's minutas.
        self.medir(client_for(municipal), COMUNA, 24, django_assert_num_queries)

    @pytest.mark.parametrize("muchos", [False, True])
    def test_region(self, muchos, municipal, regional, django_assert_num_queries) -> None:
        self.datos(municipal, muchos)
        # The summary-derived part is computed once per refresh (estadisticas.selectors.
        # por_actualizacion): 1 session, 2 user, 3 latest refresh (the memo's key), 4 evidence
        # waiting for review, 5 minutas, 6 unread notifications.
        self.medir(client_for(regional), REGION, 6, django_assert_num_queries)

    @pytest.mark.parametrize("muchos", [False, True])
    def test_nacional(self, muchos, municipal, nacional, django_assert_num_queries) -> None:
        self.datos(municipal, muchos)
        # As for the región: 1 session, 2 user, 3 latest refresh (the memo's key), 4 evidence
        # waiting for review per región, 5 ready minutas per región, 6 unread notifications.
        self.medir(client_for(nacional), NACIONAL, 6, django_assert_num_queries)

    @pytest.mark.parametrize("muchos", [False, True])
    def test_mapas(self, muchos, municipal, regional, django_assert_num_queries) -> None:
        self.datos(municipal, muchos)
        # 1 session, 2 user, 3 the región's comunas, 4 seal snapshots.
        self.medir(client_for(regional), "/estadisticas/mapa/13.json", 4, django_assert_num_queries)
        self.medir(client_for(regional), "/estadisticas/mapa/13.svg", 4, django_assert_num_queries)
        # Anonymous: 1 the comunas, 2 the seals in force.
        response = self.medir(client_for(None), "/registro/mapa.json", 2, django_assert_num_queries)
        assert len(json.loads(response.content)["estados"]) == 346
        self.medir(client_for(None), "/registro/mapa.svg", 2, django_assert_num_queries)
        # The registry page itself adds no query for its map (1 regiones, 2 certificates).
        self.medir(client_for(None), "/registro/", 2, django_assert_num_queries)
