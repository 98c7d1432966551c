"""Forms of the statistics pages. They only shape the input; the import rules are the
service's and the importers'."""

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Fuente

# Official files are far larger than the evidence uploads (SELLO_MAX_UPLOAD_BYTES): SERMIG's
# yearly microdata run to tens of megabytes. Override with SELLO_MAX_IMPORTACION_BYTES.
MAX_BYTES_IMPORTACION = 200 * 1024 * 1024
EXTENSIONES = (".csv", ".xlsx")


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
        return archivo
