"""Official statistics imported from INE and SERMIG files, each row tied to its import.

Every import (``Importacion``) records its source, release and the SHA-256 of the file. Only
one import per source and release is ``completada`` at a time: re-importing the same release
replaces its rows in one transaction; another release is kept side by side (figures are
revised between releases).
"""

import uuid

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
    INE_SERMIG_RESUMEN_REGIONES = (
        "ine_sermig_resumen_regiones",
        _("Estimación INE-SERMIG de extranjeros, resumen por región"),
    )
    INE_SERMIG_RESUMEN_COMUNAS = (
        "ine_sermig_resumen_comunas",
        _("Estimación INE-SERMIG de extranjeros, resumen por comuna (≥ 10.000 extranjeros)"),
    )
    SERMIG_RESIDENCIAS_RESUMEN_COMUNAS = (
        "sermig_residencias_resumen_comunas",
        _("SERMIG: solicitudes y otorgamientos de residencia, resumen por comuna"),
    )


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


class IndicadorOficial(models.TextChoices):
    EXTRANJEROS = "extranjeros", _("Personas extranjeras residentes estimadas")
    EXTRANJEROS_PAIS = "extranjeros_pais", _("Personas extranjeras residentes estimadas, por país")
    EXTRANJEROS_IRREGULARES = "extranjeros_irregulares", _("Personas extranjeras en situación irregular estimadas")
    RT_SOLICITUDES = "rt_solicitudes", _("Solicitudes de residencia temporal")
    RT_OTORGADAS = "rt_otorgadas", _("Residencias temporales otorgadas")
    RD_SOLICITUDES = "rd_solicitudes", _("Solicitudes de residencia definitiva")
    RD_OTORGADAS = "rd_otorgadas", _("Residencias definitivas otorgadas")
    OTORGADAS_PAIS = "otorgadas_pais", _("Residencias otorgadas, por país")
    REFUGIO_SOLICITUDES = "refugio_solicitudes", _("Solicitudes de refugio")


class CifraOficial(models.Model):
    """An official figure as dashboards and minutas read it: one number of one import, for a
    región or a comuna (or the country when both are empty) and a year.

    Summary files are imported straight into these rows; microdata imports derive them by
    GROUP BY when they complete. Every figure keeps its import, hence its source and release.
    """

    importacion = models.ForeignKey(Importacion, on_delete=models.CASCADE, related_name="cifras")
    indicador = models.CharField(_("indicador"), max_length=30, choices=IndicadorOficial.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comuna = models.ForeignKey(Comuna, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    anio = models.PositiveSmallIntegerField(_("año"))
    categoria = models.CharField(_("categoría"), max_length=120, blank=True, help_text=_("País, cuando aplica."))
    valor = models.BigIntegerField(_("valor"))

    class Meta:
        verbose_name = _("cifra oficial")
        verbose_name_plural = _("cifras oficiales")
        indexes = [
            models.Index(fields=["indicador", "comuna", "anio"], name="cifra_indicador_comuna"),
            models.Index(fields=["indicador", "region", "anio"], name="cifra_indicador_region"),
        ]

    def __str__(self) -> str:
        lugar = self.comuna_id or self.region_id or "país"
        return f"{self.indicador} {lugar} {self.anio} {self.categoria}: {self.valor}"


class Indicador(models.TextChoices):
    """What a row of ``ResumenMensual`` counts; ``categoria`` is the value of that dimension."""

    CASOS_TIPO = "casos_tipo", _("Casos por tipo")
    CASOS_ESTADO = "casos_estado", _("Casos por estado")
    CASOS_PRIORIDAD = "casos_prioridad", _("Casos por prioridad")
    CASOS_NACIONALIDAD = "casos_nacionalidad", _("Casos por nacionalidad")
    CASOS_SEXO = "casos_sexo", _("Casos por sexo")
    CASOS_NNA = "casos_nna", _("Casos de niños, niñas y adolescentes")
    CASOS_VENCIDOS = "casos_vencidos", _("Casos con plazo vencido")
    CAPACITACIONES = "capacitaciones", _("Capacitaciones realizadas")
    PERSONAS_CAPACITADAS = "personas_capacitadas", _("Personas capacitadas")
    ASISTENCIAS = "asistencias", _("Asistencias registradas")
    OPERATIVOS = "operativos", _("Operativos territoriales")
    ATENCIONES_OPERATIVOS = "atenciones_operativos", _("Personas atendidas en operativos")


class ResumenMensual(models.Model):
    """Platform figures of one comuna and month, refreshed by Celery (``estadisticas.refrescar``).

    Dashboards, minutas and the API read these rows, never the case table row by row. A case
    counts in the month it was created; trainings in the month of their first session;
    operativos in the month they took place.
    """

    TERRITORIO = "comuna"

    comuna = models.ForeignKey(Comuna, on_delete=models.CASCADE, related_name="+", verbose_name=_("comuna"))
    anio = models.PositiveSmallIntegerField(_("año"))
    mes = models.PositiveSmallIntegerField(_("mes"))
    indicador = models.CharField(_("indicador"), max_length=30, choices=Indicador.choices)
    categoria = models.CharField(_("categoría"), max_length=40, blank=True)
    valor = models.PositiveIntegerField(_("valor"))

    class Meta:
        verbose_name = _("resumen mensual")
        verbose_name_plural = _("resúmenes mensuales")
        constraints = [
            models.UniqueConstraint(
                fields=["comuna", "anio", "mes", "indicador", "categoria"], name="resumen_mensual_unico"
            ),
            models.CheckConstraint(condition=Q(mes__gte=1, mes__lte=12), name="resumen_mensual_mes_valido"),
        ]
        indexes = [models.Index(fields=["anio", "mes", "indicador"], name="resumen_periodo_indicador")]

    def __str__(self) -> str:
        return f"{self.comuna_id} {self.anio}-{self.mes:02d} {self.indicador}/{self.categoria}: {self.valor}"


class ResumenSello(models.Model):
    """The seal's state and scores of one comuna at the last refresh of a month."""

    TERRITORIO = "comuna"

    comuna = models.ForeignKey(Comuna, on_delete=models.CASCADE, related_name="+", verbose_name=_("comuna"))
    anio = models.PositiveSmallIntegerField(_("año"))
    mes = models.PositiveSmallIntegerField(_("mes"))
    estado = models.CharField(_("estado del sello"), max_length=30, blank=True)
    ciclo = models.PositiveSmallIntegerField(_("ciclo"), null=True, blank=True)
    puntaje_total = models.DecimalField(_("puntaje total"), max_digits=5, decimal_places=2, null=True, blank=True)
    por_linea = models.JSONField(_("puntaje por línea (%)"), default=dict, blank=True)
    vigente_hasta = models.DateField(_("vigente hasta"), null=True, blank=True)

    class Meta:
        verbose_name = _("resumen del sello")
        verbose_name_plural = _("resúmenes del sello")
        constraints = [
            models.UniqueConstraint(fields=["comuna", "anio", "mes"], name="resumen_sello_unico"),
        ]
        indexes = [models.Index(fields=["anio", "mes", "estado"], name="resumen_sello_periodo_estado")]

    def __str__(self) -> str:
        return f"{self.comuna_id} {self.anio}-{self.mes:02d} {self.estado}"


class Actualizacion(models.Model):
    """One refresh of the summary tables (what the dashboards say their data is as of)."""

    iniciada_en = models.DateTimeField(_("iniciada"))
    terminada_en = models.DateTimeField(_("terminada"), null=True, blank=True)
    filas = models.PositiveIntegerField(_("filas"), default=0)

    class Meta:
        verbose_name = _("actualización de resúmenes")
        verbose_name_plural = _("actualizaciones de resúmenes")
        ordering = ["-iniciada_en"]

    def __str__(self) -> str:
        return f"{self.iniciada_en:%Y-%m-%d %H:%M} ({self.filas})"


def ruta_minuta(instance: "Minuta", filename: str) -> str:
    # The inputs' fingerprint is in the name: a new version never overwrites the one in use.
    return f"minutas/{instance.comuna_id}/{instance.periodo}/{filename}"


class Minuta(models.Model):
    """The job and the file of one minuta estadística comunal: one per comuna, period and
    template version (a duplicate delivery or a re-run reuses this row)."""

    TERRITORIO = "comuna"

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente")
        GENERANDO = "generando", _("Generando")
        LISTA = "lista", _("Lista")
        ERROR = "error", _("Error")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    comuna = models.ForeignKey(Comuna, on_delete=models.PROTECT, related_name="+", verbose_name=_("comuna"))
    periodo = models.CharField(_("periodo"), max_length=7, help_text=_("Semestre, por ejemplo «2026-S1»."))
    version_plantilla = models.PositiveSmallIntegerField(_("versión de la plantilla"))
    estado = models.CharField(_("estado"), max_length=10, choices=Estado.choices, default=Estado.PENDIENTE)
    error = models.TextField(_("error"), blank=True)
    archivo = models.FileField(_("archivo"), upload_to=ruta_minuta, max_length=200, blank=True)
    huella = models.CharField(_("huella de los datos"), max_length=64, blank=True)
    tamano = models.PositiveIntegerField(_("tamaño (bytes)"), default=0)
    intentos = models.PositiveSmallIntegerField(_("intentos"), default=0)
    omitidas = models.PositiveIntegerField(
        _("regeneraciones omitidas"), default=0, help_text=_("Veces que se pidió y los datos no habían cambiado.")
    )
    solicitada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solicitada por"),
    )
    solicitada_en = models.DateTimeField(_("solicitada"), auto_now_add=True)
    iniciada_en = models.DateTimeField(_("iniciada"), null=True, blank=True)
    generada_en = models.DateTimeField(_("generada"), null=True, blank=True)

    class Meta:
        verbose_name = _("minuta estadística comunal")
        verbose_name_plural = _("minutas estadísticas comunales")
        ordering = ["-periodo", "comuna_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["comuna", "periodo", "version_plantilla"], name="minuta_unica_por_comuna_periodo_version"
            ),
            models.CheckConstraint(condition=~Q(estado="lista") | ~Q(archivo=""), name="minuta_lista_tiene_archivo"),
        ]
        indexes = [models.Index(fields=["estado", "periodo"], name="minuta_estado_periodo")]

    def __str__(self) -> str:
        return f"Minuta {self.comuna_id} {self.periodo} v{self.version_plantilla} ({self.get_estado_display()})"
