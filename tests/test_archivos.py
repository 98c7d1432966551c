"""Upload validation: content decides, never the name or the declared type."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sello.archivos import detectar_tipo, nombre_seguro, validar
from sello.demo import PDF_MINIMO
from sello.errores import ArchivoInvalido


def subir(contenido: bytes, nombre: str = "doc.pdf", tipo: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, contenido, content_type=tipo)


def zip_con(miembros: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for nombre, datos in miembros.items():
            zf.writestr(nombre, datos)
    return buffer.getvalue()


DOCX = zip_con({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@pytest.mark.parametrize(
    ("contenido", "tipo"),
    [
        (PDF_MINIMO, "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (zip_con({"mimetype": b"application/vnd.oasis.opendocument.text"}), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_it_accepts_documents_by_content(contenido: bytes, tipo: str) -> None:
    assert validar(subir(contenido, "cualquier-nombre.bin", "application/octet-stream")) == (contenido, tipo)


@pytest.mark.parametrize(
    ("contenido", "mensaje"),
    [
        (b"", "El archivo está vacío."),
        (b"<html><script>alert(1)</script></html>", "no es un documento permitido"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "no es un documento permitido"),
        (b"%PDF-1.4\n<html><script>alert(1)</script>", "no es un documento permitido"),  # polyglot
        (b"MZ\x90\x00 executable", "no es un documento permitido"),
        (zip_con({"evil.sh": b"rm -rf /"}), "no es un documento permitido"),
        (b"GIF89a", "no es un documento permitido"),
    ],
)
def test_it_refuses_what_is_not_an_allowed_document(contenido: bytes, mensaje: str) -> None:
    with pytest.raises(ArchivoInvalido, match=mensaje):
        validar(subir(contenido, "evidencia.pdf"))


def test_it_refuses_files_over_the_limit(settings) -> None:
    settings.SELLO_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ArchivoInvalido, match="supera el tamaño máximo"):
        validar(subir(PDF_MINIMO + b"0" * 2048))


def test_it_refuses_a_zip_bomb() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("word/document.xml", b"0" * (101 * 1024 * 1024))  # 101 MB, compresses to ~100 KB
    assert len(buffer.getvalue()) < 1024 * 1024
    assert detectar_tipo(buffer.getvalue()) is None


@pytest.mark.parametrize(
    ("nombre", "seguro"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("informe final.pdf", "informe final.pdf"),
        ("acta\x00.pdf", "acta.pdf"),
        ('a<b>:"c|d?*.pdf', "abcd.pdf"),
        ("", "archivo"),
        ("...", "archivo"),
        ("Añ" + "o\u0301.pdf", "Añó.pdf"),  # normalised to NFC
    ],
)
def test_display_names_are_made_safe(nombre: str, seguro: str) -> None:
    assert nombre_seguro(nombre) == seguro
