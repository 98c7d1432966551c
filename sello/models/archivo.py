"""Uploaded files: validated by content, stored outside the web root, served only by
permission-checked views of the object that owns them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def ruta_archivo(instance: "Archivo", filename: str) -> str:
    # Never the user's file name on disk: a random name, the original kept in the row.
    return f"archivos/{instance.subido_en:%Y/%m}/{instance.uuid.hex}"


class Archivo(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    archivo = models.FileField(_("archivo"), upload_to=ruta_archivo, max_length=200)
    nombre_original = models.CharField(_("nombre del archivo"), max_length=200)
    tipo = models.CharField(_("tipo de contenido"), max_length=100)
    tamano = models.PositiveBigIntegerField(_("tamaño (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    subido_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("subido por")
    )
    subido_en = models.DateTimeField(_("subido"))

    class Meta:
        verbose_name = _("archivo")
        verbose_name_plural = _("archivos")

    def __str__(self) -> str:
        return self.nombre_original
