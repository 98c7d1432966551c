"""Forms of the statistics pages. They only shape the input; the import rules are the
service's and the importers'."""

import zipfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sello.archivos import PELIGROSO, ZIP_ILEGIBLE, nombre_seguro, problema_zip

from .models import Fuente

# Official files are far larger than the evidence uploads (SELLO_MAX_UPLOAD_BYTES): SERMIG's
# yearly microdata run to tens of megabytes. Override with SELLO_MAX_IMPORTACION_BYTES.
MAX_BYTES_IMPORTACION = 200 * 1024 * 1024
EXTENSIONES = (".csv", ".xlsx")
# The content is checked before anything is stored: a CSV is text (no NUL bytes, no web markup,
# not another format renamed), an .xlsx is a workbook that is not a zip bomb. Official workbooks
# inflate about 5:1, so 2 GB leaves room for the largest ones.
MUESTRA_CSV = 64 * 1024
# Documents, images, zips and old .xls (executables are caught by their NUL bytes).
FIRMAS_BINARIAS = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"PK\x03\x04", b"GIF8", b"\xd0\xcf\x11\xe0")
MAX_DESCOMPRIMIDO_XLSX = 2 * 1024 * 1024 * 1024


def max_bytes_importacion() -> int:
    return int(getattr(settings, "SELLO_MAX_IMPORTACION_BYTES", MAX_BYTES_IMPORTACION))


class ImportacionForm(forms.Form):
    fuente = forms.ChoiceField(label=_("Fuente"), choices=[("", "---------"), *Fuente.choices])
    release = forms.CharField(
        label=_("Publicación"),
        max_length=40,
        help_text=_(
            "Versión publicada del archivo, por ejemplo «2023-12». Reimportar la misma publicación la reemplaza."
        ),
    )
    archivo = forms.FileField(
        label=_("Archivo"),
        error_messages={"empty": _("El archivo está vacío."), "required": _("Elija el archivo que va a importar.")},
    )
    permitir_no_reconocidas = forms.BooleanField(
        label=_("Importar aunque haya comunas no reconocidas"),
        required=False,
        help_text=_("Las filas no reconocidas no se importan y quedan detalladas en el reporte."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["archivo"].help_text = _(
            "CSV (UTF-8 o Latin-1, separado por comas o punto y coma) o Excel .xlsx; máximo %(max)s."
        ) % {"max": filesizeformat(max_bytes_importacion())}

    def clean_release(self) -> str:
        release: str = self.cleaned_data["release"].strip()
        if not release:
            raise forms.ValidationError(_("Indique la publicación del archivo, por ejemplo «2023-12»."))
        return release

    def clean_archivo(self) -> UploadedFile:
        archivo: UploadedFile = self.cleaned_data["archivo"]
        # The name is recorded and listed: no path, control characters or NFD, 150 characters.
        archivo.name = nombre_seguro(archivo.name or "")
        if Path(archivo.name or "").suffix.lower() not in EXTENSIONES:
            raise forms.ValidationError(
                _("El archivo debe ser .csv o .xlsx (se recibió «%(nombre)s»)."), params={"nombre": archivo.name}
            )
        if not archivo.size:
            raise forms.ValidationError(_("El archivo está vacío."))
        if archivo.size > max_bytes_importacion():
            raise forms.ValidationError(
                _("El archivo pesa %(tamano)s; el máximo es %(max)s."),
                params={"tamano": filesizeformat(archivo.size), "max": filesizeformat(max_bytes_importacion())},
            )
        archivo.seek(0)
        try:
            if Path(archivo.name or "").suffix.lower() == ".csv":
                problema = problema_csv(archivo.read(MUESTRA_CSV))
            else:
                problema = problema_xlsx(archivo)
        finally:
            archivo.seek(0)
        if problema:
            raise forms.ValidationError(problema)
        return archivo


def problema_csv(muestra: bytes) -> str | None:
    """Why the first bytes of a ``.csv`` are not a CSV of text, or None."""
    if muestra.startswith(FIRMAS_BINARIAS) or b"\x00" in muestra or PELIGROSO.search(muestra):
        return str(_("El contenido del archivo no es un CSV de texto: parece otro tipo de archivo renombrado .csv."))
    return None


def problema_xlsx(archivo: Any) -> str | None:
    """Why an ``.xlsx`` is not an acceptable workbook (not a workbook, a zip bomb, macros,
    external links), or None. Reads only the zip's directory."""
    invalido = str(_("El archivo no es un libro de Excel .xlsx válido."))
    try:
        with zipfile.ZipFile(archivo) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                return invalido
            motivo = problema_zip(zf, max_descomprimido=MAX_DESCOMPRIMIDO_XLSX)
    except ZIP_ILEGIBLE:
        return invalido
    if motivo:
        return str(_("El libro de Excel no se acepta: %(motivo)s.") % {"motivo": motivo})
    return None
