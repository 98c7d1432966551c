"""Official statistics imported from INE and SERMIG files, each row tied to its import.

Every import (``Importacion``) records its source, release and the SHA-256 of the file. Only
one import per source and release is ``completada`` at a time: re-importing the same release
replaces its rows in one transaction; another release is kept side by side (figures are
revised between releases).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipios.models import Comuna, Region


class Fuente(models.TextChoices):
    INE_SERMIG_REGIONES = "ine_sermig_estimacion_regiones", _("Estimación INE-SERMIG de extranjeros, por región")
    INE_SERMIG_COMUNAS = "ine_sermig_estimacion_comunas", _("Estimación INE-SERMIG de extranjeros, por comuna")
    SERMIG_RESIDENCIAS_SOLICITUDES = (
        "sermig_residencias_solicitudes",
        _("SERMIG: solicitudes de residencia (microdatos)"),
    )
    SERMIG_RESIDENCIAS_OTORGADAS = (
        "sermig_residencias_otorgadas",
        _("SERMIG: residencias otorgadas (microdatos)"),
    )
    SERMIG_REFUGIO = "sermig_refugio", _("SERMIG: solicitudes de refugio")


class Importacion(models.Model):
    """One import of an official file: source, release, checksum, row count, totals, outcome."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente")
        PROCESANDO = "procesando", _("Procesando")
        COMPLETADA = "completada", _("Completada")
        REEMPLAZADA = "reemplazada", _("Reemplazada por una importación posterior")
        ERROR = "error", _("Error")

    fuente = models.CharField(_("fuente"), max_length=40, choices=Fuente.choices)
    release = models.CharField(
        _("publicación"), max_length=40, help_text=_("Versión publicada del archivo, por ejemplo «2023-12».")
    )
    archivo = models.FileField(_("archivo"), upload_to="estadisticas/importaciones/", blank=True)
    nombre_archivo = models.CharField(_("nombre del archivo"), max_length=255, blank=True)
    checksum = models.CharField(_("SHA-256 del archivo"), max_length=64, blank=True)
    filas = models.PositiveIntegerField(_("filas importadas"), default=0)
    totales = models.JSONField(_("totales del archivo"), default=dict, blank=True)
    reporte = models.JSONField(
        _("reporte"), default=dict, blank=True, help_text=_("Filas no importadas, con sus números de línea.")
    )
    estado = models.CharField(_("estado"), max_length=12, choices=Estado.choices, default=Estado.PENDIENTE)
    error = models.TextField(_("error"), blank=True)
    permitir_no_reconocidas = models.BooleanField(
        _("importar aunque haya comunas no reconocidas"),
        default=False,
        help_text=_("Las filas no reconocidas no se importan y quedan detalladas en el reporte."),
    )
    creado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creada por"),
    )
    creado_en = models.DateTimeField(_("creada en"), auto_now_add=True)
    terminado_en = models.DateTimeField(_("terminada en"), null=True, blank=True)

    class Meta:
        verbose_name = _("importación de datos oficiales")
        verbose_name_plural = _("importaciones de datos oficiales")
        ordering = ["-creado_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["fuente", "release"],
                condition=Q(estado="completada"),
                name="importacion_completada_unica_por_fuente_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_fuente_display()} {self.release} ({self.get_estado_display()})"


class EstimacionExtranjeros(models.Model):
    """A row of INE-SERMIG ``baseregiones.csv`` / ``basecomunas.csv``.

    ``region`` is null for CODREGEO 17 ("Región ignorada"); ``comuna`` is null in the region
    file and for "Otras comunas" (comunas under 10,000 foreigners) in the comuna file.
    """

    importacion = models.ForeignKey(Importacion, on_delete=models.CASCADE, related_name="estimaciones")
    anio = models.PositiveSmallIntegerField(_("año de estimación"))
    sexo = models.CharField(_("sexo"), max_length=1)
    edad = models.CharField(_("tramo de edad"), max_length=20)
    pais = models.CharField(_("país"), max_length=120)
    codregeo = models.PositiveSmallIntegerField(_("CODREGEO (orden norte-sur INE)"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comuna = models.ForeignKey(Comuna, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comuna_nombre = models.CharField(_("comuna (como viene en el archivo)"), max_length=120, blank=True)
    censo_ajustado = models.PositiveIntegerField(_("censo ajustado"), default=0)
    rraa_regular = models.PositiveIntegerField(_("registros administrativos, regulares"), default=0)
    rraa_irregular = models.PositiveIntegerField(_("registros administrativos, irregulares"), default=0)
    rraa_total = models.PositiveIntegerField(_("registros administrativos, total"), default=0)
    estimacion = models.PositiveIntegerField(_("estimación"), default=0)

    class Meta:
        verbose_name = _("estimación de extranjeros residentes")
        verbose_name_plural = _("estimaciones de extranjeros residentes")
        indexes = [models.Index(fields=["importacion", "anio"])]

    def __str__(self) -> str:
        return f"{self.anio} {self.codregeo} {self.comuna_nombre} {self.pais}: {self.estimacion}"


class ResidenciaSermig(models.Model):
    """A row of SERMIG's residence microdata (applications or grants)."""

    importacion = models.ForeignKey(Importacion, on_delete=models.CASCADE, related_name="residencias")
    sexo = models.CharField(_("sexo"), max_length=20)
    pais = models.CharField(_("país"), max_length=120)
    nacimiento = models.DateField(_("fecha de nacimiento"), null=True, blank=True)
    actividad = models.CharField(_("actividad"), max_length=120, blank=True)
    profesion = models.CharField(_("profesión"), max_length=120, blank=True)
    estudios = models.CharField(_("estudios"), max_length=60, blank=True)
    comuna = models.ForeignKey(Comuna, on_delete=models.PROTECT, related_name="+")
    comuna_nombre = models.CharField(_("comuna (como viene en el archivo)"), max_length=120)
    tit_dep = models.CharField(_("titular o dependiente"), max_length=1, blank=True)
    autoridad = models.CharField(_("autoridad"), max_length=160, blank=True)
    anio = models.PositiveSmallIntegerField(_("año"))
    mes = models.PositiveSmallIntegerField(_("mes"))

    class Meta:
        verbose_name = _("residencia SERMIG")
        verbose_name_plural = _("residencias SERMIG")
        indexes = [models.Index(fields=["importacion", "anio", "mes"])]

    def __str__(self) -> str:
        return f"{self.anio}-{self.mes:02d} {self.comuna_id} {self.pais}"


class RefugioSermig(models.Model):
    """A row of SERMIG's refugee statistics (one application)."""

    importacion = models.ForeignKey(Importacion, on_delete=models.CASCADE, related_name="refugios")
    sexo = models.CharField(_("sexo"), max_length=20)
    pais = models.CharField(_("país de nacionalidad"), max_length=120)
    rango_etario = models.CharField(_("rango etario"), max_length=20)
    anio = models.PositiveSmallIntegerField(_("año"))

    class Meta:
        verbose_name = _("solicitud de refugio")
        verbose_name_plural = _("solicitudes de refugio")
        indexes = [models.Index(fields=["importacion", "anio"])]

    def __str__(self) -> str:
        return f"{self.anio} {self.pais} {self.rango_etario}"
