"""Headless Chromium: one evidence review walked from both sides (municipality and SERMIG).

muni.independencia presents evidence, regional.rm observes it, the municipality presents it
again, regional accepts it, and the municipality sees its score move.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from municipios.demo import DEMO_PASSWORD, sembrar_territorio
from municipios.models import Municipalidad, Usuario
from sello.models import EstadoSello, Evidencia
from sello.puntaje import calcular

from .conftest import asegurar_territorio
from .sello_fixtures import construir

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser(django_db_blocker: Any) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    with django_db_blocker.unblock():
        from django.db import connection

        asegurar_territorio()
        connection.close()


def nueva_pagina(browser: Browser, base: str, usuario: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", usuario)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    return page


def captura(page: Page, nombre: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{nombre}.png"), full_page=True)


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

    municipio = nueva_pagina(browser, live_server.url, "muni.independencia")
    municipio.goto(f"{live_server.url}/sello/")
    municipio.get_by_role("link", name=f"Presentar evidencia de «{accion.nombre}»").click()
    municipio.get_by_label("Descripción").fill("Plan comunal de capacitación 2026")
    municipio.get_by_label("Enlace").fill("https://transparencia.independencia.example.cl/plan-capacitacion")
    municipio.get_by_role("button", name="Enviar a revisión").click()
    expect(municipio.locator("main")).to_contain_text("Plan comunal de capacitación 2026")
    primera = Evidencia.objects.get(descripcion="Plan comunal de capacitación 2026")
    captura(municipio, "sello-1-municipio-presenta")

    regional = nueva_pagina(browser, live_server.url, "regional.rm")
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
