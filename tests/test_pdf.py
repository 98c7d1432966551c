"""PDFs read back as text (poppler's pdftotext), and the renderer's URL fetcher refusing
everything but data: URIs (no local files, no network, no cloud metadata endpoint)."""

import subprocess
from pathlib import Path

import pytest
import weasyprint
from weasyprint.urls import URLFetcherResponse

from sello.pdf import FetcherSeguro, RecursoBloqueado
from sello.services import certificados

pytestmark = pytest.mark.django_db


def texto(pdf: bytes, tmp_path: Path) -> str:
    ruta = tmp_path / "doc.pdf"
    ruta.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(ruta), "-"], capture_output=True, check=True, text=True).stdout


def test_the_certificate_states_who_until_when_and_where_to_verify(sello_quilicura, nacional, tmp_path) -> None:
    certificado = certificados.certificado_pdf_generar(certificado_id=sello_quilicura.certificado.pk, usuario=nacional)

    assert certificado.pdf is not None
    contenido = certificado.pdf.archivo.read()
    assert contenido.startswith(b"%PDF-")
    leido = texto(contenido, tmp_path)
    assert "Municipalidad de Quilicura" in leido
    assert f"{certificado.vigente_hasta:%d/%m/%Y}" in leido
    assert f"http://127.0.0.1:8000/verificar/{certificado.codigo}/" in leido
    assert certificado.resolucion_numero in leido


def test_the_commitment_letter_names_the_municipality(sello_independencia, tmp_path) -> None:
    leido = texto(certificados.carta_compromiso_pdf(adhesion=sello_independencia.adhesion), tmp_path)

    assert "Municipalidad de Independencia" in leido
    assert "Carta de compromiso" in leido


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "/etc/passwd",
    ],
)
def test_the_fetcher_refuses_anything_but_data_uris(url: str) -> None:
    with pytest.raises(RecursoBloqueado):
        FetcherSeguro().fetch(url)


def test_the_fetcher_serves_data_uris() -> None:
    respuesta = FetcherSeguro().fetch("data:text/plain;base64,aG9sYQ==")

    assert isinstance(respuesta, URLFetcherResponse)
    assert respuesta.read() == b"hola"


class FetcherEspia(FetcherSeguro):
    def __init__(self) -> None:
        super().__init__()
        self.pedidas: list[str] = []
        self.bloqueadas: list[str] = []

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        self.pedidas.append(url)
        try:
            return super().fetch(url, headers)
        except RecursoBloqueado:
            self.bloqueadas.append(url)
            raise


def test_a_document_referencing_local_files_and_the_network_renders_without_them(tmp_path) -> None:
    html = """<!DOCTYPE html><html><head>
      <link rel="stylesheet" href="http://169.254.169.254/latest">
      <style>@import url(file:///etc/hostname); body { font-family: sans-serif; }</style>
      </head><body>
      <p>Documento de prueba</p>
      <img src="file:///etc/passwd" alt="">
      <iframe src="file:///etc/passwd"></iframe>
      <object data="file:///etc/passwd"></object>
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
      </body></html>"""
    espia = FetcherEspia()

    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=espia).write_pdf()

    leido = texto(pdf, tmp_path)
    assert "Documento de prueba" in leido
    assert "root:" not in leido
    assert set(espia.bloqueadas) >= {"http://169.254.169.254/latest", "file:///etc/hostname", "file:///etc/passwd"}
    assert [u for u in espia.pedidas if u not in espia.bloqueadas] == ["data:image/gif;base64,R0lGODlhAQABAAAAACw="]


def test_values_typed_by_users_are_escaped_in_the_pdf(sello_independencia, tmp_path) -> None:
    """An officer's name with markup is printed as text, never fetched."""
    adhesion = sello_independencia.adhesion
    adhesion.encargado_nombre = '<img src="file:///etc/passwd">Ana'

    leido = texto(certificados.carta_compromiso_pdf(adhesion=adhesion), tmp_path)

    assert '<img src="file:///etc/passwd">Ana' in leido
    assert "root:" not in leido
