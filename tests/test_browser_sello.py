"""Headless Chromium: one evidence review walked from both sides (municipality and SERMIG).

muni.independencia presents evidence, regional.rm observes it, the municipality presents it
again, regional accepts it, and the municipality sees its score move.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from municipios.demo import sembrar_territorio
from municipios.models import Municipalidad, Usuario
from sello.models import EstadoSello, Evidencia
from sello.puntaje import calcular

from .navegador import captura, entrar, lanzar
from .sello_fixtures import construir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser(django_db_blocker: Any) -> Iterator[Browser]:
    yield from lanzar(django_db_blocker)


def revisar(page: Page, descripcion: str, resultado: str, comentario: str) -> None:
    formulario = page.locator("form").filter(has=page.locator("legend", has_text=descripcion))
    formulario.get_by_label(resultado).check()
    if comentario:
        formulario.get_by_label("Comentario para la municipalidad").fill(comentario)
    formulario.get_by_role("button", name="Registrar revisión").click()


def test_an_evidence_review_from_both_sides(browser: Browser, live_server: Any) -> None:
    usuarios = {u.username: u for u in sembrar_territorio()}
    independencia = Municipalidad.objects.get(comuna_id="13108")
    sello = construir(
        independencia,
        EstadoSello.EN_IMPLEMENTACION,
        municipal=usuarios["muni.independencia"],
        regional=usuarios["regional.rm"],
    )
    accion = sello.acciones[6]  # no evidence yet
    antes = calcular(sello.adhesion).total

    municipio = entrar(browser, live_server.url, "muni.independencia")
    municipio.goto(f"{live_server.url}/sello/")
    municipio.get_by_role("link", name=f"Presentar evidencia de «{accion.nombre}»").click()
    municipio.get_by_label("Descripción").fill("Plan comunal de capacitación 2026")
    municipio.get_by_label("Enlace").fill("https://transparencia.independencia.example.cl/plan-capacitacion")
    municipio.get_by_role("button", name="Enviar a revisión").click()
    expect(municipio.locator("main")).to_contain_text("Plan comunal de capacitación 2026")
    primera = Evidencia.objects.get(descripcion="Plan comunal de capacitación 2026")
    captura(municipio, "sello-1-municipio-presenta")

    regional = entrar(browser, live_server.url, "regional.rm")
    regional.goto(f"{live_server.url}/sello/{sello.adhesion.uuid}/")
    revisar(regional, "Plan comunal de capacitación 2026", "Observar", "Falta el decreto que aprueba el plan.")
    expect(regional.locator("main")).to_contain_text("Falta el decreto que aprueba el plan.")
    captura(regional, "sello-2-regional-observa")

    municipio.goto(f"{live_server.url}/sello/")
    expect(municipio.locator("main")).to_contain_text("Falta el decreto que aprueba el plan.")
    municipio.get_by_role("link", name=f"Presentar evidencia de «{accion.nombre}»").click()
    municipio.get_by_label("Descripción").fill("Plan comunal de capacitación 2026 con decreto")
    municipio.get_by_label("Enlace").fill("https://transparencia.independencia.example.cl/decreto-plan")
    municipio.get_by_label("Vuelve a presentar").select_option(str(primera.uuid))
    municipio.get_by_role("button", name="Enviar a revisión").click()
    expect(municipio.locator("main")).to_contain_text("Vuelve a presentar «Plan comunal de capacitación 2026»")

    regional.goto(f"{live_server.url}/sello/{sello.adhesion.uuid}/")
    revisar(regional, "Plan comunal de capacitación 2026 con decreto", "Aceptar", "")
    despues = calcular(sello.adhesion).total
    assert despues > antes

    municipio.goto(f"{live_server.url}/sello/")
    expect(municipio.locator("main")).to_contain_text(re.compile(rf"Puntaje actual:\s*{despues}"))
    captura(municipio, "sello-3-municipio-ve-puntaje")
    assert Usuario.objects.get(username="muni.independencia").notificaciones.count() == 2
