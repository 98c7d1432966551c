"""WeasyPrint probes: resource-loading markup typed into every user-written text that reaches a
PDF (carta de compromiso, seal certificate, training certificate, attendance sheet, minuta).

For each PDF x probe: the renderer's fetcher is asked for nothing but ``data:`` URIs (a spy on
``sello.pdf.FetcherSeguro.fetch``), the PDF has no embedded file (``pdfdetach -list``), no
local file content, and the probe shows as literal text (``pdftotext``): Django escaped it.
A last test feeds the probes to the renderer unescaped, to prove the fetcher refuses them too.
"""

import subprocess
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from capacitaciones.certificados import certificado_pdf_generar
from capacitaciones.models import CertificadoCapacitacion
from estadisticas.minuta_datos import datos_minuta
from estadisticas.minutas import contexto_pdf
from estadisticas.models import CifraOficial, Fuente, Importacion, IndicadorOficial
from estadisticas.periodos import periodo_actual
from municipios.models import Comuna
from sello import pdf as sello_pdf
from sello.models import EstadoSello
from sello.services import certificados

from .capacitaciones_fixtures import capacitacion, inscripcion
from .conftest import client_for
from .hostiles.cargas import CONTENIDO_LOCAL, SIN_RECURSO, SONDAS_PDF
from .sello_fixtures import construir

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def pedidas(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Every URL the PDF renderer asks its fetcher for, and those the fetcher served."""
    urls: dict[str, list[str]] = {"pedidas": [], "servidas": []}
    original = sello_pdf.FetcherSeguro.fetch

    def espia(self: Any, url: str, headers: Any = None) -> Any:
        urls["pedidas"].append(url)
        respuesta = original(self, url, headers)
        urls["servidas"].append(url)
        return respuesta

    monkeypatch.setattr(sello_pdf.FetcherSeguro, "fetch", espia)
    return urls


def escribir(objeto: models.Model, sonda: str, *campos: str) -> list[str]:
    """Put ``sonda`` in each of ``campos`` where it fits; return the fields written."""
    escritos = []
    for campo in campos:
        definicion = objeto._meta.get_field(campo)
        assert isinstance(definicion, models.Field)
        largo = definicion.max_length
        if largo is None or len(sonda) <= largo:
            setattr(objeto, campo, sonda)
            escritos.append(campo)
    objeto.save()
    return escritos


# --- One builder per PDF: (PDF bytes, fields that carry the probe) --------------------------
def carta_compromiso(r: pytest.FixtureRequest, sonda: str) -> tuple[bytes, list[str]]:
    municipal = r.getfixturevalue("municipal")
    sello = construir(r.getfixturevalue("independencia"), EstadoSello.ADHERIDA, municipal=municipal)
    campos = escribir(sello.adhesion, sonda, "encargado_nombre", "encargado_cargo", "acuerdo_concejo_numero")
    municipalidad = sello.adhesion.municipalidad
    campos += escribir(municipalidad, sonda, "alcalde_nombre", "oficina_nombre", "oficina_dependencia")
    response = client_for(municipal).get(reverse("sello:carta", kwargs={"uuid": sello.adhesion.uuid}))
    assert response.status_code == 200
    return response.content, campos


def certificado_sello(r: pytest.FixtureRequest, sonda: str) -> tuple[bytes, list[str]]:
    sello = construir(
        r.getfixturevalue("quilicura"),
        EstadoSello.CERTIFICADA,
        municipal=r.getfixturevalue("municipal_otra"),
        regional=r.getfixturevalue("regional"),
    )
    assert sello.certificado is not None
    campos = escribir(sello.certificado, sonda, "municipalidad_nombre", "region_nombre", "resolucion_numero")
    generado = certificados.certificado_pdf_generar(
        certificado_id=sello.certificado.pk, usuario=r.getfixturevalue("nacional")
    )
    assert generado.pdf is not None
    return generado.pdf.archivo.read(), campos


def certificado_capacitacion(r: pytest.FixtureRequest, sonda: str) -> tuple[bytes, list[str]]:
    independencia = r.getfixturevalue("independencia")
    cap = capacitacion(r.getfixturevalue("regional"), invitadas=[independencia])
    inscrita = inscripcion(cap, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
    certificado = CertificadoCapacitacion(
        inscripcion=inscrita, horas=Decimal("6.0"), emitido_en=timezone.localdate(), fechas="1 de marzo de 2026"
    )
    campos = escribir(certificado, sonda, "nombre", "titulo", "organiza", "fechas")
    generado = certificado_pdf_generar(certificado.pk)
    assert generado.pdf is not None
    return generado.pdf.archivo.read(), campos


def hoja_asistencia(r: pytest.FixtureRequest, sonda: str) -> tuple[bytes, list[str]]:
    independencia = r.getfixturevalue("independencia")
    regional = r.getfixturevalue("regional")
    cap = capacitacion(regional, invitadas=[independencia])
    inscrita = inscripcion(cap, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
    sesion = cap.sesiones.order_by("inicio").first()
    assert sesion is not None
    campos = escribir(cap, sonda, "titulo") + escribir(sesion, sonda, "lugar")
    campos += escribir(inscrita, sonda, "nombre", "institucion", "unidad")
    response = client_for(regional).get(reverse("capacitaciones:hoja_asistencia", kwargs={"pk": sesion.pk}))
    assert response.status_code == 200
    return response.content, campos


def minuta(r: pytest.FixtureRequest, sonda: str) -> tuple[bytes, list[str]]:
    """Free text in a minuta comes from imports: the release label typed on upload and the
    country names read from the uploaded file."""
    importacion = Importacion(
        fuente=Fuente.INE_SERMIG_RESUMEN_COMUNAS,
        release="2023-12",
        estado=Importacion.Estado.COMPLETADA,
        terminado_en=timezone.now() - timedelta(minutes=1),
    )
    campos = escribir(importacion, sonda, "release")
    comuna = Comuna.objects.get(cut="13108")
    cifras = [
        CifraOficial(importacion=importacion, indicador=IndicadorOficial.EXTRANJEROS, anio=2022, valor=43_106),
        CifraOficial(importacion=importacion, indicador=IndicadorOficial.RT_OTORGADAS, anio=2023, valor=2_101),
        CifraOficial(
            importacion=importacion, indicador=IndicadorOficial.OTORGADAS_PAIS, anio=2023, valor=900, categoria=sonda
        ),
        CifraOficial(
            importacion=importacion, indicador=IndicadorOficial.EXTRANJEROS_PAIS, anio=2022, valor=9, categoria=sonda
        ),
    ]
    for cifra in cifras:
        cifra.comuna, cifra.region_id = comuna, comuna.region_id
    CifraOficial.objects.bulk_create(cifras)
    campos.append("categoria (país)")
    return sello_pdf.render_pdf(
        "pdf/estadisticas/minuta.html", contexto_pdf(datos_minuta(comuna, periodo_actual()))
    ), campos


PDFS: dict[str, Callable[[pytest.FixtureRequest, str], tuple[bytes, list[str]]]] = {
    "carta de compromiso": carta_compromiso,
    "certificado del sello": certificado_sello,
    "certificado de capacitación": certificado_capacitacion,
    "hoja de asistencia": hoja_asistencia,
    "minuta estadística": minuta,
}
SONDAS = [(pdf, sonda) for pdf in PDFS for sonda in SONDAS_PDF]


def texto_de(pdf: bytes, carpeta: Path) -> str:
    ruta = carpeta / "sonda.pdf"
    ruta.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(ruta), "-"], capture_output=True, check=True, text=True).stdout


def adjuntos_de(pdf: bytes, carpeta: Path) -> str:
    ruta = carpeta / "sonda.pdf"
    ruta.write_bytes(pdf)
    return subprocess.run(["pdfdetach", "-list", str(ruta)], capture_output=True, check=True, text=True).stdout


def sin_espacios(texto: str) -> str:
    return "".join(texto.split()).lower()


@pytest.mark.parametrize(("nombre_pdf", "sonda"), SONDAS, ids=[f"{p} - {s}" for p, s in SONDAS])
def test_a_probe_in_user_text_fetches_nothing_and_prints_as_text(
    nombre_pdf: str, sonda: str, request: pytest.FixtureRequest, pedidas: dict[str, list[str]], tmp_path: Path
) -> None:
    carga = SONDAS_PDF[sonda]
    contenido, campos = PDFS[nombre_pdf](request, carga)

    assert contenido.startswith(b"%PDF-")
    assert campos, "the probe fits no field of this PDF"
    assert [u for u in pedidas["pedidas"] if not u.startswith("data:")] == []
    assert adjuntos_de(contenido, tmp_path).startswith("0 embedded files")
    texto = texto_de(contenido, tmp_path)
    assert CONTENIDO_LOCAL not in texto
    assert sin_espacios(carga) in sin_espacios(texto)


@pytest.mark.parametrize("sonda", list(SONDAS_PDF))
def test_unescaped_probes_are_refused_by_the_fetcher(sonda: str, pedidas: dict[str, list[str]], tmp_path: Path) -> None:
    """Second line of defence: markup that reached the renderer raw still loads nothing."""
    html = f"<html><body><p>antes</p>{SONDAS_PDF[sonda]}<p>después</p></body></html>"

    contenido: bytes = sello_pdf.HTML(string=html, base_url=None, url_fetcher=sello_pdf.FetcherSeguro()).write_pdf()

    assert pedidas["servidas"] == []
    assert bool(pedidas["pedidas"]) is (sonda not in SIN_RECURSO)  # asked for, and refused
    assert adjuntos_de(contenido, tmp_path).startswith("0 embedded files")
    texto = texto_de(contenido, tmp_path)
    assert CONTENIDO_LOCAL not in texto
    assert "antes" in texto
    assert "después" in texto


def test_the_pdf_probes_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(
            f"\nPDF probes: {len(SONDAS)} ({len(PDFS)} PDFs x {len(SONDAS_PDF)} probes) rendered escaped, "
            f"plus {len(SONDAS_PDF)} fed raw to the fetcher; nothing fetched but data: URIs"
        )
    assert len(SONDAS) == len(PDFS) * len(SONDAS_PDF)
