"""PDFs that run something when opened: JavaScript (``/JS``, ``/JavaScript``) behind an
``/OpenAction``, a page's ``/AA`` or the document's name tree, and launch actions (``/Launch``),
also with names spelled in ``#xx`` escapes or hidden in a compressed object stream.

Each is refused by ``sello.archivos`` with a Spanish message that says why, at every upload point
that takes a PDF (web and API), and nothing is stored. PDFs with an innocent ``/OpenAction``
(open at page 1), the word "JavaScript" in their text, look-alike names, or made by WeasyPrint are
still accepted. The check is deliberately coarse: the name ``/JS`` typed as literal text inside
an uncompressed string would also be refused (skipping strings would let a crafted file hide its
action from the scanner).
"""

import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from weasyprint import HTML

from sello import archivos
from sello.demo import PDF_MINIMO
from sello.errores import ArchivoInvalido

from .test_hostiles_subidas import PUNTOS, Personas, en_disco, estado, mensaje_de, subir

pytestmark = pytest.mark.django_db

MOTIVO = "contiene código JavaScript o acciones que se ejecutan al abrirlo"
CATALOGO = b"/Type/Catalog"
PAGINA = b"/Type/Page/Parent"


def con_catalogo(extra: bytes) -> bytes:
    """PDF_MINIMO with ``extra`` entries in its catalogue."""
    return PDF_MINIMO.replace(CATALOGO, CATALOGO + extra, 1)


def con_pagina(extra: bytes) -> bytes:
    return PDF_MINIMO.replace(PAGINA, b"/Type/Page" + extra + b"/Parent", 1)


def con_objeto(objeto: bytes, *, catalogo: bytes = b"") -> bytes:
    """PDF_MINIMO with one more object (number 4) before its trailer."""
    base = con_catalogo(catalogo) if catalogo else PDF_MINIMO
    return base.replace(b"trailer", b"4 0 obj" + objeto + b"endobj\ntrailer", 1)


def flujo(datos: bytes, *, comprimido: bool) -> bytes:
    contenido = zlib.compress(datos) if comprimido else datos
    filtro = b"/Filter/FlateDecode" if comprimido else b""
    return b"<<" + filtro + b"/Length %d>>stream\n" % len(contenido) + contenido + b"\nendstream\n"


def objetos_comprimidos(objetos: bytes) -> bytes:
    """An object stream (PDF 1.5) holding ``objetos``, compressed: the catalogue's action can
    live there, out of sight of a plain byte search."""
    contenido = zlib.compress(b"5 0 " + objetos)
    return (
        b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>stream\r\n" % len(contenido)
        + contenido
        + b"\r\nendstream\n"
    )


ALERTA = b"(app.alert\\('hola'\\))"


def accion_en_otro_objeto() -> bytes:
    """The catalogue points at object 4, whose /JS is object 5: a compressed script stream."""
    guion = flujo(b"app.launchURL('http://169.254.169.254/')", comprimido=True)
    pdf = con_objeto(b"<</S/JavaScript/JS 5 0 R>>", catalogo=b"/OpenAction 4 0 R")
    return pdf.replace(b"trailer", b"5 0 obj" + guion + b"endobj\ntrailer", 1)


ACTIVOS = {
    "OpenAction con JavaScript": con_catalogo(b"/OpenAction<</S/JavaScript/JS" + ALERTA + b">>"),
    "OpenAction con espacios y saltos": con_catalogo(b"\n/OpenAction << /S /JavaScript\r\n/JS " + ALERTA + b" >>"),
    "OpenAction a un objeto JavaScript": accion_en_otro_objeto(),
    "AA de la página (al abrirla)": con_pagina(b"/AA<</O<</S/JavaScript/JS" + ALERTA + b">>>>"),
    "JavaScript del documento (árbol de nombres)": con_catalogo(
        b"/Names<</JavaScript<</Names[(inicio)<</S/JavaScript/JS" + ALERTA + b">>]>>>>"
    ),
    "JS como cadena hexadecimal": con_catalogo(b"/OpenAction<</S/JavaScript/JS<6170702e616c657274283129>>>"),
    "nombres con escapes #xx": con_catalogo(b"/OpenAction<</S/J#61va#53cript/#4A#53" + ALERTA + b">>"),
    "acción en un flujo de objetos comprimido": con_objeto(
        objetos_comprimidos(b"<</S/JavaScript/JS" + ALERTA + b">>"), catalogo=b"/OpenAction 5 0 R"
    ),
    "lanzar un programa (Launch)": con_catalogo(b"/OpenAction<</S/Launch/F(cmd.exe)/P(/c calc)>>"),
}


def weasyprint_con_la_palabra_javascript() -> bytes:
    html = "<h1>Capacitación</h1><p>Curso de JavaScript y de /JS para equipos municipales.</p>"
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


INOCENTES = {
    "mínimo": PDF_MINIMO,
    "OpenAction que abre la página 1": con_catalogo(b"/OpenAction[3 0 R/Fit]"),
    "OpenAction GoTo": con_catalogo(b"/OpenAction<</S/GoTo/D[3 0 R/XYZ 0 792 0]>>"),
    "la palabra JavaScript en el texto": con_objeto(
        flujo(b"BT /F1 12 Tf 72 720 Td (Curso de JavaScript para equipos municipales) Tj ET", comprimido=False)
    ),
    "nombres parecidos": con_catalogo(b"/JSFont/JavaScriptX/Launcher/AA1 0"),
    "flujo comprimido inocente": con_objeto(flujo(b"BT (Acta de la mesa territorial) Tj ET", comprimido=True)),
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


# --- The validator --------------------------------------------------------------------------


@pytest.mark.parametrize("clave", list(ACTIVOS))
def test_un_pdf_que_ejecuta_algo_al_abrirse_se_rechaza_con_su_motivo(clave: str) -> None:
    contenido = ACTIVOS[clave]
    assert contenido.startswith(b"%PDF-")
    assert archivos.detectar_tipo(contenido) is None
    with pytest.raises(ArchivoInvalido) as rechazo:
        archivos.validar(SimpleUploadedFile("acta.pdf", contenido, content_type="application/pdf"))
    assert str(rechazo.value.mensaje) == (
        "El contenido del archivo no es un documento permitido (PDF, JPG, PNG, DOCX, XLSX u ODT): "
        f"{MOTIVO}; guárdelo de nuevo como PDF (por ejemplo, con «Imprimir como PDF») y vuelva a subirlo."
    )


@pytest.mark.parametrize("clave", list(INOCENTES))
def test_un_pdf_sin_acciones_activas_se_acepta(clave: str) -> None:
    contenido = INOCENTES[clave]
    assert archivos.validar(SimpleUploadedFile("acta.pdf", contenido)) == (contenido, "application/pdf")


def test_un_pdf_hecho_por_weasyprint_se_acepta() -> None:
    contenido = weasyprint_con_la_palabra_javascript()
    assert archivos.detectar_tipo(contenido) == "application/pdf"


def rechazo(contenido: bytes) -> str:
    assert archivos.detectar_tipo(contenido) is None
    return archivos.motivo_de_rechazo(contenido)


def test_solo_se_inflan_los_flujos_de_objetos_y_con_limite() -> None:
    """A compressed image of 64 MB of zeros is not inflated (it cannot hold actions); an object
    stream that inflates past the bound is refused, since what it holds cannot be checked."""
    ceros = zlib.compress(bytes(64 * 1024 * 1024), 9)
    imagen = b"<</Type/XObject/Subtype/Image/Width 8192/Height 8192/Filter/FlateDecode/Length %d>>" % len(ceros)
    assert archivos.detectar_tipo(con_objeto(imagen + b"stream\n" + ceros + b"\nendstream\n")) == "application/pdf"
    bomba = b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>" % len(ceros)
    motivo = rechazo(con_objeto(bomba + b"stream\n" + ceros + b"\nendstream\n", catalogo=b"/OpenAction 5 0 R"))
    assert "se expande a un tamaño excesivo al descomprimirlo" in motivo


def test_un_flujo_de_objetos_con_otro_filtro_se_rechaza() -> None:
    oculto = (b"5 0 <</S/JavaScript/JS" + ALERTA + b">>").hex().encode() + b">"
    flujo_hex = b"<</Type/ObjStm/N 1/First 4/Filter/ASCIIHexDecode/Length %d>>stream\n" % len(oculto)
    motivo = rechazo(con_objeto(flujo_hex + oculto + b"\nendstream\n", catalogo=b"/OpenAction 5 0 R"))
    assert "contiene objetos comprimidos de una forma que no se puede revisar" in motivo


def test_un_flujo_de_objetos_con_el_nombre_escapado_tambien_se_revisa() -> None:
    flujo_objetos = objetos_comprimidos(b"<</S/JavaScript/JS" + ALERTA + b">>").replace(b"/ObjStm", b"/Obj#53tm")
    assert MOTIVO in rechazo(con_objeto(flujo_objetos, catalogo=b"/OpenAction 5 0 R"))


def test_el_motivo_de_un_poliglota_sigue_siendo_el_suyo() -> None:
    poliglota = con_catalogo(b"/OpenAction<</S/JavaScript/JS" + ALERTA + b">>") + b"<script>alert(1)</script>"
    assert "contiene además contenido web" in archivos.motivo_de_rechazo(poliglota)


# --- Every upload point that takes a PDF ----------------------------------------------------

PUNTOS_PDF = [punto for punto in PUNTOS if punto.extension == ".pdf"]
COMBINACIONES = [(punto, clave) for punto in PUNTOS_PDF for clave in ACTIVOS]


@pytest.mark.parametrize(("punto", "clave"), COMBINACIONES, ids=[f"{p.clave} - {c}" for p, c in COMBINACIONES])
def test_cada_punto_de_subida_rechaza_el_pdf_activo_y_no_guarda_nada(
    punto: Any, clave: str, request: pytest.FixtureRequest, media: Path
) -> None:
    envio = punto.preparar(Personas(request))
    antes = estado(media)

    response = subir(envio, "acta.pdf", ACTIVOS[clave])

    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert MOTIVO in mensaje_de(response)
    assert estado(media) == antes


@pytest.mark.parametrize("punto", PUNTOS_PDF, ids=[p.clave for p in PUNTOS_PDF])
def test_cada_punto_de_subida_acepta_un_pdf_inocente(punto: Any, request: pytest.FixtureRequest, media: Path) -> None:
    envio = punto.preparar(Personas(request))
    contenido = INOCENTES["OpenAction que abre la página 1"]
    antes = en_disco(media)

    response = subir(envio, "acta.pdf", contenido)

    assert response.status_code == punto.aceptado, (response.status_code, response.content[:300])
    assert [p.read_bytes() for p in en_disco(media) - antes] == [contenido]
