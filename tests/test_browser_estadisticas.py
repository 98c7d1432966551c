"""Headless Chromium: the regional statistics dashboard with its charts, KPIs and the Leaflet
map of the región's comunas, and the public registry's map.

regional.rm follows "Estadísticas" to the Región Metropolitana's dashboard; the map draws the
52 comunas of the región. An anonymous visitor opens /registro/ and the map draws every comuna
of the polygon file (345: Antártica has no polygon).
"""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from estadisticas.mapa import GEOJSON
from estadisticas.resumenes import resumenes_refrescar
from municipios.demo import sembrar_territorio
from municipios.models import Municipalidad
from sello.models import EstadoSello

from .casos_fixtures import caso
from .navegador import captura, entrar, lanzar
from .sello_fixtures import construir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLIGONOS = "document.querySelectorAll('.leaflet-interactive').length"


@pytest.fixture(scope="module")
def browser(django_db_blocker: Any) -> Iterator[Browser]:
    yield from lanzar(django_db_blocker)


def test_the_regional_dashboard_and_the_public_map(browser: Browser, live_server: Any) -> None:
    usuarios = {u.username: u for u in sembrar_territorio()}
    municipal, regional = usuarios["muni.independencia"], usuarios["regional.rm"]
    for cut, estado in (("13108", EstadoSello.EN_IMPLEMENTACION), ("13125", EstadoSello.CERTIFICADA)):
        municipalidad = Municipalidad.objects.select_related("comuna__region").get(comuna_id=cut)
        construir(municipalidad, estado, municipal=municipal, regional=regional)
    caso(municipal, vencido=True)
    resumenes_refrescar()

    page = entrar(browser, live_server.url, "regional.rm")
    page.get_by_role("link", name="Estadísticas").click()

    expect(page).to_have_url(re.compile(r"/estadisticas/region/13/$"))
    expect(page.locator("h1")).to_contain_text("Metropolitana")
    kpis = page.locator(".kpis").first
    expect(kpis).to_contain_text("Comunas en el programa")
    expect(kpis).to_contain_text("Evidencias por revisar")
    expect(page.locator("figure.grafico svg[role=img]").first).to_be_visible()
    expect(page.locator("table.comunas")).to_contain_text("Independencia")
    page.wait_for_function(f"() => {POLIGONOS} >= 52")
    assert page.evaluate(POLIGONOS) == 52
    expect(page.locator(".mapa-leyenda")).to_contain_text("Certificada")
    captura(page, "estadisticas-1-regional")

    visitante = browser.new_context().new_page()
    visitante.set_default_timeout(10_000)
    visitante.goto(f"{live_server.url}/registro/")
    comunas = len(json.loads(GEOJSON.read_text(encoding="utf-8"))["features"])
    visitante.wait_for_function(f"() => {POLIGONOS} >= {comunas}")
    assert visitante.evaluate(POLIGONOS) == comunas
    leyenda = visitante.locator(".mapa-leyenda")
    expect(leyenda).to_contain_text("Sello vigente")
    expect(leyenda).not_to_contain_text("implementación")
    captura(visitante, "estadisticas-2-registro")
