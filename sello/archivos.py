"""Validation and storage of uploaded files (evidence, signed letters, attachments).

A file is accepted only when its *content* is one of the allowed types (magic bytes), it is
not empty and not over the size limit. The declared name and content type are never trusted:
an HTML or SVG file renamed ``.pdf`` is refused, and so is a polyglot (a PDF or image that also
carries web markup or a zip archive), a PDF with JavaScript or a launch action, an office file
with macros or links to other files, a zip bomb, and a name whose extension says another type
than the content (``informe.pdf.exe``: the name travels with the file when it is downloaded).
Files are stored under MEDIA_ROOT with a random name (no MEDIA_URL: they are only served by
permission-checked views).
"""

import hashlib
import io
import os
import re
import unicodedata
import zipfile
import zlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .errores import ArchivoInvalido
from .fallas import guardar_en_almacenamiento
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
MAX_MIEMBROS = 5000
# Office XML compresses about 5-20:1; deflate reaches ~1000:1 only on repeated bytes (a bomb).
RAZON_MAXIMA = 100
MIEMBRO_GRANDE = 1024 * 1024
# Members that act when the document is opened: macros (OOXML and ODF), links to other
# workbooks, and a Word template fetched from the network (declared in settings.xml.rels).
MACROS = re.compile(r"(^|/)vbaProject\.bin$|^(Basic|Scripts)/", re.IGNORECASE)
VINCULOS = re.compile(r"^xl/externalLinks/", re.IGNORECASE)
PLANTILLA = "word/_rels/settings.xml.rels"

EXTENSIONES = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    OOXML["word/document.xml"]: (".docx",),
    OOXML["xl/workbook.xml"]: (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
}
MAX_NOMBRE = 150

# Markup a browser would run. Anywhere in a PDF or an image it makes a polyglot: the first
# bytes say "document", the rest is a web page (opened from the downloads folder, it runs).
PELIGROSO = re.compile(rb"<\s*(script|html|svg|!doctype|iframe|object|embed)\b", re.IGNORECASE)
FIRMAS = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def max_bytes() -> int:
    return int(getattr(settings, "SELLO_MAX_UPLOAD_BYTES", MAX_BYTES_DEFECTO))


def problema_zip(zf: zipfile.ZipFile, *, max_descomprimido: int = MAX_DESCOMPRIMIDO) -> str | None:
    """Why an office file (a zip) is refused, in Spanish, or None: a zip bomb (too many members,
    too large or too compressed once inflated), macros, links to other files or a remote
    template. Reads only the central directory and, when present, settings.xml.rels."""
    infos = zf.infolist()
    total = sum(info.file_size for info in infos)
    if (
        len(infos) > MAX_MIEMBROS
        or total > max_descomprimido
        or any(i.file_size > MIEMBRO_GRANDE and i.file_size > RAZON_MAXIMA * max(i.compress_size, 1) for i in infos)
    ):
        return _("se expande a un tamaño excesivo al descomprimirlo")
    nombres = {info.filename for info in infos}
    if any(MACROS.search(nombre) for nombre in nombres):
        return _("contiene macros")
    plantilla_remota = PLANTILLA in nombres and b'TargetMode="External"' in zf.read(PLANTILLA)
    if plantilla_remota or any(VINCULOS.search(nombre) for nombre in nombres):
        return _("contiene vínculos a otros archivos o a una plantilla externa")
    return None


# What reading a damaged, encrypted or exotic zip may raise.
ZIP_ILEGIBLE = (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError)


def _tipo_zip(contenido: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(contenido)) as zf:
            if problema_zip(zf) is not None:
                return None
            nombres = set(zf.namelist())
            for miembro, mime in OOXML.items():
                if miembro in nombres and "[Content_Types].xml" in nombres:
                    return mime
            if "mimetype" in nombres:
                mime = zf.read("mimetype").decode("ascii", "replace").strip()
                if mime in ODF_MIMES:
                    return mime
    except ZIP_ILEGIBLE:
        return None
    return None


# PDF actions that run something when the document is opened or a page is shown (``/OpenAction``
# or ``/AA`` pointing at them, or the document's name tree): JavaScript and launching a program.
# Their names sit in dictionaries, plain in the file or inside object streams (``/ObjStm``,
# compressed). A name may spell its characters as ``#xx`` (``/J#61vaScript``), so names are
# decoded; object streams are inflated, within a bound (a deflate bomb is not inflated further).
ACCIONES_ACTIVAS = frozenset({b"JS", b"JavaScript", b"Launch"})
DELIMITADOR_PDF = rb"\x00\t\n\x0c\r /<>\[\](){}%"
NOMBRE_PDF = re.compile(rb"/([^" + DELIMITADOR_PDF + rb"]*)")
ESCAPE_NOMBRE = re.compile(rb"#([0-9A-Fa-f]{2})")
INICIO_FLUJO = re.compile(rb"(?<![A-Za-z])stream\r?\n")
MAX_DICCIONARIO = 4096
MAX_INFLADO_PDF = 50 * 1024 * 1024


def _sin_escapes(datos: bytes) -> bytes:
    return ESCAPE_NOMBRE.sub(lambda m: bytes([int(m.group(1), 16)]), datos)


def _nombres_activos(datos: bytes) -> bool:
    for coincidencia in NOMBRE_PDF.finditer(datos):
        nombre = coincidencia.group(1)
        if b"#" in nombre:
            nombre = _sin_escapes(nombre)
        if nombre in ACCIONES_ACTIVAS:
            return True
    return False


def problema_pdf(contenido: bytes) -> str | None:
    """Why a PDF is refused, in Spanish, or None: JavaScript or a launch action in its plain
    objects or in its object streams; object streams that cannot be read (another filter) or
    inflate past MAX_INFLADO_PDF are refused too, since what they hold cannot be checked."""
    activo = _(
        "contiene código JavaScript o acciones que se ejecutan al abrirlo; guárdelo de nuevo como PDF "
        "(por ejemplo, con «Imprimir como PDF») y vuelva a subirlo"
    )
    if _nombres_activos(contenido):
        return activo
    presupuesto = MAX_INFLADO_PDF
    for coincidencia in INICIO_FLUJO.finditer(contenido):
        diccionario = contenido[max(0, coincidencia.start() - MAX_DICCIONARIO) : coincidencia.start()]
        diccionario = _sin_escapes(diccionario[diccionario.rfind(b"obj") :])
        if b"/ObjStm" not in diccionario:
            continue  # page contents, images, fonts: no dictionaries of actions inside
        fin = contenido.find(b"endstream", coincidencia.end())
        datos = contenido[coincidencia.end() : fin if fin != -1 else len(contenido)]
        if b"/Filter" not in diccionario:
            continue  # stored plain: already read above
        try:
            descompresor = zlib.decompressobj()
            inflado = descompresor.decompress(datos, presupuesto + 1)
        except zlib.error:
            return _("contiene objetos comprimidos de una forma que no se puede revisar")
        presupuesto -= len(inflado)
        if presupuesto < 0:
            return _("se expande a un tamaño excesivo al descomprimirlo")
        if _nombres_activos(inflado):
            return activo
    return None


def _poliglota(contenido: bytes) -> bool:
    """Web markup anywhere, or a zip archive appended (zip readers look for it at the end)."""
    return PELIGROSO.search(contenido) is not None or zipfile.is_zipfile(io.BytesIO(contenido))


def detectar_tipo(contenido: bytes) -> str | None:
    """The content type by magic bytes, or None when it is not an accepted document."""
    if contenido.startswith(b"PK\x03\x04"):
        return _tipo_zip(contenido)
    for firma, tipo in FIRMAS:
        if contenido.startswith(firma):
            if _poliglota(contenido) or (tipo == "application/pdf" and problema_pdf(contenido)):
                return None
            return tipo
    return None


def motivo_de_rechazo(contenido: bytes) -> str:
    """The Spanish message for content :func:`detectar_tipo` refused."""
    motivo = None
    if contenido.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(contenido)) as zf:
                motivo = problema_zip(zf)
        except ZIP_ILEGIBLE:
            motivo = None
    elif contenido.startswith(b"%PDF-") and not _poliglota(contenido) and problema_pdf(contenido):
        motivo = problema_pdf(contenido)
    elif any(contenido.startswith(firma) for firma, _tipo in FIRMAS):
        motivo = _("contiene además contenido web o un archivo comprimido oculto")
    if motivo:
        return _("El contenido del archivo no es un documento permitido (%(tipos)s): %(motivo)s.") % {
            "tipos": TIPOS_LEGIBLES,
            "motivo": motivo,
        }
    return _("El contenido del archivo no es un documento permitido (%(tipos)s).") % {"tipos": TIPOS_LEGIBLES}


def nombre_seguro(nombre: str) -> str:
    """A display name without paths, control characters (bidirectional overrides included) or
    shell-hostile characters, NFC-normalised and at most 150 characters, extension kept."""
    nombre = unicodedata.normalize("NFC", nombre or "")
    nombre = nombre.replace("\\", "/").rsplit("/", 1)[-1]
    nombre = "".join(c for c in nombre if c.isprintable() and c not in '<>:"|?*;')
    nombre = nombre.strip(" .") or "archivo"
    if len(nombre) > MAX_NOMBRE:
        raiz, extension = os.path.splitext(nombre)
        extension = extension[:16]
        nombre = raiz[: MAX_NOMBRE - len(extension)].rstrip(" .") + extension
    return nombre


def validar_nombre(nombre: str, tipo: str) -> str:
    """The safe display name of an upload whose content is ``tipo``; refused when its extension
    says another type (``informe.pdf.exe``, ``foto.png.html``): downloaded under that name, the
    file would be opened as what the name says. A name without an extension is accepted."""
    seguro = nombre_seguro(nombre)
    extension = os.path.splitext(seguro)[1].lower()
    esperadas = EXTENSIONES[tipo]
    if extension and extension not in esperadas:
        raise ArchivoInvalido(
            _(
                "El nombre del archivo termina en «%(extension)s», pero su contenido es %(tipo)s. "
                "Cambie el nombre para que termine en %(esperada)s y vuelva a subirlo."
            )
            % {"extension": extension, "tipo": esperadas[0][1:].upper(), "esperada": esperadas[0]}
        )
    return seguro


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
        raise ArchivoInvalido(motivo_de_rechazo(contenido))
    return contenido, tipo


def guardar(*, upload: UploadedFile | Any, usuario: Any) -> Archivo:
    """Validate and store an upload. Call inside the caller's transaction: the row is only
    committed with it, and :func:`descartar` removes the file if the transaction fails."""
    from django.core.files.base import ContentFile

    contenido, tipo = validar(upload)
    archivo = Archivo(
        nombre_original=validar_nombre(getattr(upload, "name", "") or "", tipo),
        tipo=tipo,
        tamano=len(contenido),
        sha256=hashlib.sha256(contenido).hexdigest(),
        subido_por=usuario,
        subido_en=timezone.now(),
    )
    # A full or failing disk leaves no partial file and raises SinEspacio (a Spanish message).
    guardar_en_almacenamiento(archivo.archivo, "archivo", ContentFile(contenido))
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
    # A full or failing disk leaves no partial file and raises SinEspacio (a Spanish message).
    guardar_en_almacenamiento(archivo.archivo, "archivo", ContentFile(contenido))
    archivo.save()
    return archivo
