"""Validation and storage of uploaded files (evidence, signed letters, attachments).

A file is accepted only when its *content* is one of the allowed types (magic bytes), it is
not empty and not over the size limit. The declared name and content type are never trusted:
an HTML or SVG file renamed ``.pdf`` is refused. Files are stored under MEDIA_ROOT with a
random name (no MEDIA_URL: they are only served by permission-checked views).
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .errores import ArchivoInvalido
from .models import Archivo

MAX_BYTES_DEFECTO = 10 * 1024 * 1024

TIPOS_LEGIBLES = "PDF, JPG, PNG, DOCX, XLSX u ODT"

# Office documents are zip files; check the member that names the format, and bound the
# uncompressed size (zip bombs).
OOXML = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ODF_MIMES = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}
MAX_DESCOMPRIMIDO = 100 * 1024 * 1024

PELIGROSO = re.compile(rb"<\s*(script|html|svg|!doctype|iframe|object|embed)\b", re.IGNORECASE)


def max_bytes() -> int:
    return int(getattr(settings, "SELLO_MAX_UPLOAD_BYTES", MAX_BYTES_DEFECTO))


def _tipo_zip(contenido: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(contenido)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > MAX_DESCOMPRIMIDO or len(zf.infolist()) > 5000:
                return None
            nombres = set(zf.namelist())
            for miembro, mime in OOXML.items():
                if miembro in nombres and "[Content_Types].xml" in nombres:
                    return mime
            if "mimetype" in nombres:
                mime = zf.read("mimetype").decode("ascii", "replace").strip()
                if mime in ODF_MIMES:
                    return mime
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def detectar_tipo(contenido: bytes) -> str | None:
    """The content type by magic bytes, or None when it is not an accepted document."""
    if contenido.startswith(b"%PDF-"):
        # A PDF with HTML/script markup near its start is a polyglot: refuse it.
        return None if PELIGROSO.search(contenido[:1024]) else "application/pdf"
    if contenido.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if contenido.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if contenido.startswith(b"PK\x03\x04"):
        return _tipo_zip(contenido)
    return None


def nombre_seguro(nombre: str) -> str:
    """A display name without paths, control characters or shell-hostile characters."""
    nombre = unicodedata.normalize("NFC", nombre or "")
    nombre = nombre.replace("\\", "/").rsplit("/", 1)[-1]
    nombre = "".join(c for c in nombre if c.isprintable() and c not in '<>:"|?*;')
    nombre = nombre.strip(" .") or "archivo"
    return nombre[:150]


def validar(upload: UploadedFile | Any) -> tuple[bytes, str]:
    """Read and validate an upload; return its bytes and detected content type."""
    if upload is None:
        raise ArchivoInvalido(_("Debe adjuntar un archivo."))
    limite = max_bytes()
    tamano = getattr(upload, "size", None)
    demasiado_grande = _("El archivo supera el tamaño máximo de %(max)s.") % {"max": filesizeformat(limite)}
    if tamano is not None and tamano > limite:
        raise ArchivoInvalido(demasiado_grande)
    contenido = upload.read(limite + 1)
    if len(contenido) > limite:
        raise ArchivoInvalido(demasiado_grande)
    if not contenido:
        raise ArchivoInvalido(_("El archivo está vacío."))
    tipo = detectar_tipo(contenido)
    if tipo is None:
        raise ArchivoInvalido(
            _("El contenido del archivo no es un documento permitido (%(tipos)s).") % {"tipos": TIPOS_LEGIBLES}
        )
    return contenido, tipo


def guardar(*, upload: UploadedFile | Any, usuario: Any) -> Archivo:
    """Validate and store an upload. Call inside the caller's transaction: the row is only
    committed with it, and :func:`descartar` removes the file if the transaction fails."""
    from django.core.files.base import ContentFile

    contenido, tipo = validar(upload)
    archivo = Archivo(
        nombre_original=nombre_seguro(getattr(upload, "name", "")),
        tipo=tipo,
        tamano=len(contenido),
        sha256=hashlib.sha256(contenido).hexdigest(),
        subido_por=usuario,
        subido_en=timezone.now(),
    )
    archivo.archivo.save("archivo", ContentFile(contenido), save=False)
    try:
        archivo.save()
    except Exception:  # any failure of the insert: remove the stored file, then re-raise
        archivo.archivo.delete(save=False)
        raise
    return archivo


def guardar_generado(*, contenido: bytes, nombre: str, tipo: str, usuario: Any) -> Archivo:
    """Store a file the platform produced itself (e.g. a certificate PDF)."""
    from django.core.files.base import ContentFile

    archivo = Archivo(
        nombre_original=nombre_seguro(nombre),
        tipo=tipo,
        tamano=len(contenido),
        sha256=hashlib.sha256(contenido).hexdigest(),
        subido_por=usuario,
        subido_en=timezone.now(),
    )
    archivo.archivo.save("archivo", ContentFile(contenido), save=False)
    archivo.save()
    return archivo
