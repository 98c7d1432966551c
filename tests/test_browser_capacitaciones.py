"""Headless Chromium: the organiser of a training marks attendance, issues the certificates and
downloads one; the PDF read back (pdftotext) names the participant and the training, and its
code verifies publicly.

regional.rm organises a finished two-session training for Independencia with two participants;
Ana attends both sessions, Luis only the first (50 % < 75 %: no certificate). Celery runs eagerly,
so the batch renders the PDFs before the page comes back.
"""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from capacitaciones.models import CertificadoCapacitacion
from municipios.demo import sembrar_territorio
from municipios.models import Municipalidad
from sello.models import Archivo

from .capacitaciones_fixtures import capacitacion, inscripcion
from .navegador import captura, entrar, lanzar

# Playwright's sync API runs an event loop in this thread; without this every ORM call made
# afterwards in the session raises SynchronousOnlyOperation.

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


TITULO = "Interculturalidad en la atención municipal"


@pytest.fixture(scope="module")
def browser(django_db_blocker: Any) -> Iterator[Browser]:
    yield from lanzar(django_db_blocker)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def marcar(page: Page, participante: str, estado: str) -> None:
    fila = page.locator("fieldset.asistencia-fila").filter(has=page.locator("legend", has_text=participante))
    fila.get_by_label(estado, exact=True).check()


def test_the_organiser_marks_attendance_issues_and_downloads_a_certificate(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    usuarios = {u.username: u for u in sembrar_territorio()}
    independencia = Municipalidad.objects.get(comuna_id="13108")
    curso = capacitacion(usuarios["regional.rm"], invitadas=[independencia], titulo=TITULO, sesiones_pasadas=2)
    inscripcion(curso, "Ana Pérez Soto", "ana@independencia.cl", municipalidad=independencia)
    inscripcion(curso, "Luis Soto", "luis@independencia.cl", municipalidad=independencia)
    primera, segunda = curso.sesiones.order_by("inicio")

    page = entrar(browser, live_server.url, "regional.rm")
    for sesion, estado_luis in ((primera, "Presente"), (segunda, "Ausente")):
        page.goto(f"{live_server.url}/capacitaciones/sesiones/{sesion.pk}/asistencia/")
        marcar(page, "Ana Pérez Soto", "Presente")
        marcar(page, "Luis Soto", estado_luis)
        page.get_by_role("button", name="Guardar asistencia").click()
        expect(page.locator("main")).to_contain_text("Se guardó la asistencia de 2 participantes.")
    captura(page, "capacitaciones-1-asistencia")

    page.goto(f"{live_server.url}/capacitaciones/{curso.uuid}/certificados/")
    page.get_by_role("button", name="Emitir certificados").click()
    expect(page.locator("main")).to_contain_text("1 certificado emitido")
    expect(page.locator("main")).to_contain_text("PDF listo")
    captura(page, "capacitaciones-2-certificados")
    certificado = CertificadoCapacitacion.objects.get()
    assert certificado.nombre == "Ana Pérez Soto"  # Luis attended 1 of 2 sessions: none for him
    assert Archivo.objects.count() == 1

    with page.expect_download() as descarga:
        page.get_by_role("link", name="Descargar el certificado de Ana Pérez Soto").click()
    ruta = tmp_path / "certificado.pdf"
    descarga.value.save_as(ruta)
    assert descarga.value.suggested_filename == "certificado-capacitacion-ana-perez-soto.pdf"
    texto = " ".join(
        subprocess.run(["pdftotext", str(ruta), "-"], capture_output=True, check=True, text=True).stdout.split()
    )
    assert "Ana Pérez Soto" in texto
    assert TITULO in texto
    assert certificado.codigo in texto

    publico = browser.new_context().new_page()
    publico.goto(f"{live_server.url}/verificar/{certificado.codigo}/")
    expect(publico.locator("main")).to_contain_text("Certificado válido")
    expect(publico.locator("main")).to_contain_text("Ana Pérez Soto")
    captura(publico, "capacitaciones-3-verificacion")
