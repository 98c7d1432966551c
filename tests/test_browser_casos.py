"""Headless Chromium: a case escalated by the municipality and managed to resolution by SERMIG.

muni.independencia registers and escalates a case; regional.valparaiso cannot open it;
regional.rm takes it from the queue, asks for information, the municipality answers, regional
resolves; the timeline shows every step. The description holds a script tag: shown as text.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from casos.models import Caso, EstadoCaso
from municipios.demo import sembrar_territorio

from .navegador import captura, entrar, lanzar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


DESCRIPCION = "Necesita regularizar su situación <script>alert('x')</script>"


@pytest.fixture(scope="module")
def browser(django_db_blocker: Any) -> Iterator[Browser]:
    yield from lanzar(django_db_blocker)


def accion(page: Page, etiqueta: str, comentario: str = "", asignar_a: str = "") -> None:
    form = page.locator("fieldset").filter(has=page.locator("legend", has_text=etiqueta))
    if asignar_a:
        form.get_by_label("Asignar a").select_option(label=asignar_a)
    if comentario:
        form.get_by_role("textbox").fill(comentario)
    form.get_by_role("button", name=etiqueta).click()


def test_a_case_escalated_and_resolved_from_both_sides(browser: Browser, live_server: Any) -> None:
    sembrar_territorio()
    municipio = entrar(browser, live_server.url, "muni.independencia")
    municipio.goto(f"{live_server.url}/casos/nuevo/")
    municipio.get_by_label("Nombres").fill("Wislande")
    municipio.get_by_label("Apellidos").fill("Joseph")
    municipio.get_by_label("Tipo de documento").select_option("pasaporte")
    municipio.get_by_label("Número de documento").fill("HT-4471203")
    municipio.get_by_label("Nacionalidad").select_option("HT")
    municipio.get_by_label("Fecha de nacimiento").fill("1991-03-14")
    municipio.locator("#id_tipo").select_option("regularizacion")
    municipio.get_by_label("Descripción").fill(DESCRIPCION)
    municipio.get_by_label("La persona dio su consentimiento informado").check()
    municipio.get_by_label("Fecha del consentimiento").fill(date.today().isoformat())
    municipio.get_by_role("button", name="Registrar el caso").click()
    caso = Caso.objects.get()
    expect(municipio.locator("main")).to_contain_text(caso.folio)
    expect(municipio.locator("main")).to_contain_text("<script>alert('x')</script>")  # shown as text
    accion(municipio, "Derivar a SERMIG")
    expect(municipio.locator("main")).to_contain_text("Derivado a SERMIG")

    otra_region = entrar(browser, live_server.url, "regional.valparaiso")
    respuesta = otra_region.goto(f"{live_server.url}/casos/{caso.uuid}/")
    assert respuesta is not None
    assert respuesta.status == 404
    assert "Wislande" not in otra_region.content()

    regional = entrar(browser, live_server.url, "regional.rm")
    regional.goto(f"{live_server.url}/casos/cola/")
    regional.get_by_role("link", name=caso.folio).click()
    accion(regional, "Asignar y tomar el caso", asignar_a="Rodrigo Salinas")
    accion(regional, "Solicitar información a la municipalidad", "Adjunte el comprobante de ingreso.")

    municipio.goto(f"{live_server.url}/casos/{caso.uuid}/")
    expect(municipio.locator("main")).to_contain_text("Adjunte el comprobante de ingreso.")
    accion(municipio, "Responder la solicitud de información", "Se adjunta el comprobante.")

    regional.goto(f"{live_server.url}/casos/{caso.uuid}/")
    accion(regional, "Resolver", "Se orientó a la persona e ingresó su solicitud.")
    expect(regional.locator("main")).to_contain_text("Resuelto")

    caso.refresh_from_db()
    assert caso.estado == EstadoCaso.RESUELTO
    pasos = regional.locator(".evento-transicion").evaluate_all("els => els.map(e => e.dataset.accion)")
    assert pasos == ["derivar", "asignar", "solicitar_informacion", "responder", "resolver"]
    captura(regional, "casos-linea-de-tiempo")
