"""Hostile uploads, built in memory.

``hostiles(extension, valido)`` is the set an upload point must refuse, with names in the
extension the point accepts (``.pdf``, ``.csv``) so that the content, not the name, is what
gets a file refused; ``valido`` is a file the point accepts, used where only the name or the
size is hostile. ``nombres_neutralizados(extension)`` are names that are not refused but
must not reach the disk or a download header as given (paths, long or odd Unicode names).
"""

import enum
import functools
import io
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from sello.demo import PDF_MINIMO

# Over every limit the tests set (SELLO_MAX_UPLOAD_BYTES and SELLO_MAX_IMPORTACION_BYTES are
# overridden to LIMITE) and over the attendance CSV's fixed 1 MB.
LIMITE = 512 * 1024
SOBRE_TODO_LIMITE = 1024 * 1024 + 1
# Inflated size of the zip bombs: over the 100 MB cap and ~1000:1 (compressed ~130 KB).
BOMBA = 128 * 1024 * 1024

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' + SCRIPT + b"</svg>"


class Motivo(enum.Enum):
    """Why a point must refuse the file (each point words it in its own message)."""

    VACIO = "vacío"
    GRANDE = "sobre el límite"
    CONTENIDO = "contenido"
    NOMBRE = "nombre"


@dataclass(frozen=True)
class Hostil:
    clave: str
    nombre: str  # as a hostile browser sends it (paths, control characters and all)
    contenido: bytes
    motivo: Motivo


# --- Building blocks ------------------------------------------------------------------------
def _chunk(tipo: bytes, datos: bytes) -> bytes:
    return struct.pack(">I", len(datos)) + tipo + datos + struct.pack(">I", zlib.crc32(tipo + datos))


def png(*extra: bytes) -> bytes:
    """A valid 1x1 grey PNG, with ``extra`` chunks before its data."""
    cabecera = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    datos = _chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    return b"\x89PNG\r\n\x1a\n" + cabecera + b"".join(extra) + datos + _chunk(b"IEND", b"")


def jpeg(comentario: bytes = b"") -> bytes:
    """The markers of a JPEG (enough for detection by content), with a COM segment."""
    com = b"\xff\xfe" + struct.pack(">H", len(comentario) + 2) + comentario if comentario else b""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + com + b"\xff\xd9"


def zip_con(miembros: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for nombre, datos in miembros.items():
            zf.writestr(nombre, datos)
    return buffer.getvalue()


TIPOS_XLSX = b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
XLSX_BASE = {
    "[Content_Types].xml": TIPOS_XLSX,
    "xl/workbook.xml": b"<workbook/>",
    "xl/worksheets/sheet1.xml": b"<worksheet/>",
}
DOCX_BASE = {"[Content_Types].xml": TIPOS_XLSX, "word/document.xml": b"<w:document/>"}
PLANTILLA_REMOTA = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'attachedTemplate" Target="http://169.254.169.254/plantilla.dotm" TargetMode="External"/></Relationships>'
)


@functools.cache
def bomba(base: tuple[tuple[str, bytes], ...], miembro: str) -> bytes:
    """An office file whose ``miembro`` inflates to BOMBA bytes of zeros (streamed: the
    uncompressed bytes never sit in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for nombre, datos in base:
            zf.writestr(nombre, datos)
        with zf.open(miembro, "w", force_zip64=True) as destino:
            bloque = bytes(1024 * 1024)
            for _ in range(BOMBA // len(bloque)):
                destino.write(bloque)
    return buffer.getvalue()


def bomba_xlsx() -> bytes:
    return bomba(tuple(XLSX_BASE.items()), "xl/sharedStrings.xml")


def bomba_docx() -> bytes:
    return bomba(tuple(DOCX_BASE.items()), "word/media/relleno.xml")


def relleno(valido: bytes, tamano: int = SOBRE_TODO_LIMITE) -> bytes:
    """``valido`` padded past every size limit (PDF comments, CSV blank lines: still valid)."""
    return valido + b"\n" * (tamano - len(valido))


# --- The sets -------------------------------------------------------------------------------
def hostiles(extension: str, valido: bytes) -> list[Hostil]:
    """What every upload point must refuse, disguised with the point's ``extension``."""
    e = extension
    invertida = e[1:][::-1]  # "pdf" -> "fdp": with U+202E "informe\u202efdp.exe" shows as "informeexe.pdf"
    c = Motivo.CONTENIDO
    return [
        Hostil("vacío", f"vacio{e}", b"", Motivo.VACIO),
        Hostil("sobre el límite", f"grande{e}", relleno(valido), Motivo.GRANDE),
        Hostil("magia GIF", f"imagen{e}", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", c),
        Hostil("ejecutable PE", f"programa{e}", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"PE\x00\x00", c),
        Hostil("ejecutable ELF", f"binario{e}", b"\x7fELF\x02\x01\x01\x00" + bytes(56), c),
        Hostil("xls antiguo (OLE)", f"planilla{e}", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), c),
        Hostil("zip cualquiera", f"comprimido{e}", zip_con({"leeme.sh": b"rm -rf /"}), c),
        Hostil("HTML con script", f"informe{e}", HTML, c),
        Hostil("HTML con BOM", f"informe-bom{e}", b"\xef\xbb\xbf \n" + HTML, c),
        Hostil("HTML renombrado .png", "informe.png", HTML, c),
        Hostil("SVG con script", f"grafico{e}", SVG, c),
        Hostil("SVG renombrado .png", "grafico.png", SVG, c),
        Hostil("PDF políglota: HTML al inicio", f"acta{e}", b"%PDF-1.4\n" + HTML, c),
        Hostil("PDF políglota: HTML al final", f"acta-cola{e}", PDF_MINIMO + b"%" * 2048 + b"\n" + HTML, c),
        Hostil("PDF políglota: zip al final", f"acta-zip{e}", PDF_MINIMO + zip_con({"index.html": HTML}), c),
        Hostil("PNG políglota: HTML en un bloque tEXt", "foto.png", png(_chunk(b"tEXt", b"Comment\x00" + HTML)), c),
        Hostil("PNG políglota: zip al final", "foto-zip.png", png() + zip_con({"a.class": b"\xca\xfe\xba\xbe"}), c),
        Hostil("JPEG políglota: script en un comentario", "foto.jpg", jpeg(SCRIPT), c),
        Hostil("bomba zip .xlsx", "datos.xlsx", bomba_xlsx(), c),
        Hostil("bomba zip .docx", "informe.docx", bomba_docx(), c),
        Hostil("xlsx con macros", "macros.xlsx", zip_con({**XLSX_BASE, "xl/vbaProject.bin": b"\xcc\x61"}), c),
        Hostil(
            "xlsx con vínculo externo",
            "vinculos.xlsx",
            zip_con({**XLSX_BASE, "xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
            c,
        ),
        Hostil(
            "docx con plantilla remota",
            "plantilla.docx",
            zip_con({**DOCX_BASE, "word/_rels/settings.xml.rels": PLANTILLA_REMOTA}),
            c,
        ),
        Hostil("doble extensión .exe", f"informe{e}.exe", valido, Motivo.NOMBRE),
        Hostil("doble extensión .html", f"foto{e}.html", valido, Motivo.NOMBRE),
        Hostil("override RTL (U+202E)", f"informe\u202e{invertida}.exe", valido, Motivo.NOMBRE),
        Hostil("NUL en el nombre", f"acta{e}\x00.html", valido, Motivo.NOMBRE),
    ]


def nombres_neutralizados(extension: str) -> dict[str, str]:
    """Names accepted with a valid file, but never used as given: no path, no control
    characters, NFC, at most 150 characters, extension kept (key -> name as sent)."""
    return {
        "ruta ../": f"../../etc/passwd{extension}",
        "ruta ..\\": f"..\\..\\x{extension}",
        "ruta absoluta": f"/var/www/media/casos{extension}",
        "emoji": f"informe 📄✅{extension}",
        "NFC": unicodedata.normalize("NFC", f"Año niño{extension}"),
        "NFD": unicodedata.normalize("NFD", f"Año niño{extension}"),
        "muy largo": "a" * 300 + extension,
        "html en el nombre": f"<img src=x onerror=alert(1)>{extension}",
    }
