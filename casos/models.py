"""Migrants' cases escalated by municipalities to SERMIG (PRODUCT.md §4).

Minimum necessary personal data; sensitive cases (gender violence, trata, NNA) are masked in
lists and every opening is logged; the workflow is an explicit state machine (``casos.flujo``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from municipios.models import Comuna


class TipoDocumento(models.TextChoices):
    RUN = "run", _("RUN")
    IPE = "ipe", _("IPE (identificador provisorio escolar)")
    PASAPORTE = "pasaporte", _("Pasaporte")
    OTRO = "otro", _("Otro documento")
    SIN_DOCUMENTO = "sin", _("Sin documento")


class Sexo(models.TextChoices):
    MUJER = "mujer", _("Mujer")
    HOMBRE = "hombre", _("Hombre")
    OTRO = "otro", _("Otro / no binario")
    NO_INFORMA = "no_informa", _("Prefiere no informar")


class TramoEdad(models.TextChoices):
    NNA_0_5 = "0-5", _("0 a 5 años")
    NNA_6_13 = "6-13", _("6 a 13 años")
    NNA_14_17 = "14-17", _("14 a 17 años")
    ADULTO_18_29 = "18-29", _("18 a 29 años")
    ADULTO_30_44 = "30-44", _("30 a 44 años")
    ADULTO_45_59 = "45-59", _("45 a 59 años")
    ADULTO_60 = "60+", _("60 años o más")
    DESCONOCIDO = "desconocido", _("Desconocido")


TRAMOS_NNA = (TramoEdad.NNA_0_5, TramoEdad.NNA_6_13, TramoEdad.NNA_14_17)
# The person's fields an officer types (registration form, API, rectification).
CAMPOS_PERSONA = (
    "nombres",
    "apellidos",
    "tipo_documento",
    "numero_documento",
    "nacionalidad",
    "sexo",
    "fecha_nacimiento",
    "tramo_edad",
    "telefono",
    "email",
)


class Persona(models.Model):
    """The migrant person of a case, with the minimum necessary data."""

    TERRITORIO = "comuna"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    comuna = models.ForeignKey(Comuna, on_delete=models.PROTECT, related_name="+", verbose_name=_("comuna"))
    nombres = models.CharField(_("nombres"), max_length=120)
    apellidos = models.CharField(_("apellidos"), max_length=120, blank=True)
    tipo_documento = models.CharField(_("tipo de documento"), max_length=12, choices=TipoDocumento.choices)
    numero_documento = models.CharField(_("número de documento"), max_length=40, blank=True)
    documento_normalizado = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    nacionalidad = CountryField(_("nacionalidad"), blank=True)
    sexo = models.CharField(_("sexo"), max_length=12, choices=Sexo.choices, default=Sexo.NO_INFORMA)
    fecha_nacimiento = models.DateField(_("fecha de nacimiento"), null=True, blank=True)
    tramo_edad = models.CharField(
        _("tramo de edad"), max_length=12, choices=TramoEdad.choices, default=TramoEdad.DESCONOCIDO
    )
    es_nna = models.BooleanField(_("niño, niña o adolescente"), default=False)
    telefono = models.CharField(_("teléfono de contacto"), max_length=30, blank=True)
    email = models.EmailField(_("correo de contacto"), blank=True)
    creada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creada_en = models.DateTimeField(auto_now_add=True)
    # Data protection (Ley 21.719, casos.privacidad): a blocked person's data is kept (legal
    # hold) but hidden from everybody but national staff and not editable; an anonymised
    # person keeps only what statistics count.
    bloqueada = models.BooleanField(_("datos bloqueados"), default=False, editable=False)
    bloqueo_motivo = models.TextField(_("motivo del bloqueo"), blank=True, editable=False)
    bloqueada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    bloqueada_en = models.DateTimeField(_("bloqueada"), null=True, blank=True, editable=False)
    anonimizada_en = models.DateTimeField(_("anonimizada"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        indexes = [
            models.Index(fields=["comuna", "documento_normalizado"], name="persona_comuna_documento"),
            # Few people are blocked: counts subtract their cases through this small index.
            models.Index(fields=["id"], condition=Q(bloqueada=True), name="persona_bloqueada"),
        ]

    def __str__(self) -> str:
        return f"{self.nombres} {self.apellidos}".strip()


class TipoCaso(models.TextChoices):
    CONSULTA = "consulta", _("Consulta o estado de trámite")
    REGULARIZACION = "regularizacion", _("Regularización migratoria")
    NNA = "nna", _("Niños, niñas y adolescentes")
    VIOLENCIA = "violencia", _("Violencia de género o intrafamiliar")
    TRATA = "trata", _("Trata o tráfico de personas")
    REFUGIO = "refugio", _("Refugio o protección internacional")
    REUNIFICACION = "reunificacion", _("Reunificación familiar")
    VULNERACION = "vulneracion", _("Vulneración de derechos o discriminación")
    HUMANITARIA = "humanitaria", _("Situación humanitaria o social")
    SANCIONES = "sanciones", _("Sanciones o expulsión")


TIPOS_SENSIBLES = (TipoCaso.NNA, TipoCaso.VIOLENCIA, TipoCaso.TRATA)

SUBTIPOS: dict[str, list[tuple[str, str]]] = {
    TipoCaso.CONSULTA: [("estado_solicitud", "Estado de una solicitud"), ("requisitos", "Requisitos de un trámite")],
    TipoCaso.REGULARIZACION: [
        ("residencia_temporal", "Residencia temporal"),
        ("residencia_definitiva", "Residencia definitiva"),
        ("ingreso_clandestino", "Ingreso por paso no habilitado"),
        ("prorroga", "Prórroga o vencimiento de permiso"),
    ],
    TipoCaso.NNA: [
        ("sin_documentos", "NNA sin documentos"),
        ("no_acompanado", "NNA no acompañado o separado"),
        ("escolarizacion", "Acceso a educación"),
    ],
    TipoCaso.VIOLENCIA: [
        ("pareja", "Violencia de pareja"),
        ("intrafamiliar", "Violencia intrafamiliar"),
        ("sexual", "Violencia sexual"),
    ],
    TipoCaso.TRATA: [
        ("laboral", "Trata con fines de explotación laboral"),
        ("sexual", "Trata con fines de explotación sexual"),
        ("trafico", "Tráfico de migrantes"),
    ],
    TipoCaso.REFUGIO: [("solicitud", "Solicitud de refugio"), ("apatridia", "Apatridia")],
    TipoCaso.REUNIFICACION: [
        ("hijos", "Hijos e hijas"),
        ("conyuge", "Cónyuge o conviviente"),
        ("otros", "Otros familiares"),
    ],
    TipoCaso.VULNERACION: [
        ("discriminacion", "Discriminación"),
        ("laboral", "Derechos laborales"),
        ("salud", "Acceso a salud"),
    ],
    TipoCaso.HUMANITARIA: [
        ("vivienda", "Situación de calle o vivienda"),
        ("salud", "Salud"),
        ("alimentacion", "Alimentación"),
    ],
    TipoCaso.SANCIONES: [
        ("multa", "Multa"),
        ("expulsion", "Expulsión"),
        ("prohibicion_ingreso", "Prohibición de ingreso"),
    ],
}


class Prioridad(models.TextChoices):
    BAJA = "baja", _("Baja")
    MEDIA = "media", _("Media")
    ALTA = "alta", _("Alta")
    URGENTE = "urgente", _("Urgente")


class Canal(models.TextChoices):
    PRESENCIAL = "presencial", _("Atención presencial")
    TELEFONO = "telefono", _("Teléfono")
    CORREO = "correo", _("Correo electrónico")
    DERIVACION = "derivacion", _("Derivación de otra institución")
    TERRENO = "terreno", _("Operativo en terreno")


class EstadoCaso(models.TextChoices):
    BORRADOR = "borrador", _("Borrador")
    DERIVADO = "derivado", _("Derivado a SERMIG")
    EN_GESTION = "en_gestion", _("En gestión")
    REQUIERE_INFORMACION = "requiere_informacion", _("Requiere información")
    RESUELTO = "resuelto", _("Resuelto")
    CERRADO = "cerrado", _("Cerrado")
    REABIERTO = "reabierto", _("Reabierto")


ESTADOS_ABIERTOS = (
    EstadoCaso.DERIVADO,
    EstadoCaso.EN_GESTION,
    EstadoCaso.REQUIERE_INFORMACION,
    EstadoCaso.REABIERTO,
)


class Caso(models.Model):
    TERRITORIO = "comuna"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    folio = models.CharField(_("folio"), max_length=20, unique=True)
    comuna = models.ForeignKey(Comuna, on_delete=models.PROTECT, related_name="casos", verbose_name=_("comuna"))
    persona = models.ForeignKey(Persona, on_delete=models.PROTECT, related_name="casos", verbose_name=_("persona"))
    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoCaso.choices)
    subtipo = models.CharField(_("subtipo"), max_length=30, blank=True)
    prioridad = models.CharField(_("prioridad"), max_length=10, choices=Prioridad.choices, default=Prioridad.MEDIA)
    canal = models.CharField(_("canal de ingreso"), max_length=12, choices=Canal.choices, default=Canal.PRESENCIAL)
    descripcion = models.TextField(_("descripción"))
    sensible = models.BooleanField(_("caso sensible"), default=False, editable=False)
    consentimiento = models.BooleanField(_("consentimiento informado"), default=False)
    consentimiento_fecha = models.DateField(_("fecha del consentimiento"), null=True, blank=True)
    numero_solicitud_sermig = models.CharField(_("N° de solicitud SERMIG"), max_length=40, blank=True)
    estado = models.CharField(_("estado"), max_length=24, choices=EstadoCaso.choices, default=EstadoCaso.BORRADOR)
    asignado_a = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="casos_asignados",
        verbose_name=_("asignado a"),
    )
    derivado_en = models.DateTimeField(_("derivado"), null=True, blank=True)
    plazo = models.DateTimeField(_("plazo de respuesta"), null=True, blank=True)
    vencido = models.BooleanField(_("vencido"), default=False)
    resuelto_en = models.DateTimeField(_("resuelto"), null=True, blank=True)
    resolucion = models.TextField(_("resolución"), blank=True)
    creado_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creado_en = models.DateTimeField(_("creado"), auto_now_add=True)
    actualizado_en = models.DateTimeField(_("actualizado"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("caso")
        verbose_name_plural = _("casos")
        ordering = ["-creado_en", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estado="borrador") | Q(consentimiento=True, consentimiento_fecha__isnull=False),
                name="caso_derivado_con_consentimiento",
            ),
        ]
        indexes = [
            models.Index(fields=["comuna", "estado", "-creado_en"], name="caso_comuna_estado"),
            models.Index(fields=["estado", "vencido", "plazo"], name="caso_estado_plazo"),
            models.Index(fields=["asignado_a", "estado"], name="caso_asignado_estado"),
            # The lists' keyset orderings (nationwide and per comuna) and the regional queue's
            # (unassigned first, overdue first, by deadline) over the open states only.
            models.Index(fields=["-creado_en", "-id"], name="caso_reciente"),
            models.Index(fields=["comuna", "-creado_en", "-id"], name="caso_comuna_reciente"),
            models.Index(
                Case(When(asignado_a__isnull=True, then=Value(0)), default=Value(1)),
                F("vencido").desc(),
                F("plazo"),
                F("id"),
                condition=Q(estado__in=["derivado", "en_gestion", "requiere_informacion", "reabierto"]),
                name="caso_cola",
            ),
        ]

    def __str__(self) -> str:
        return self.folio

    @property
    def abierto(self) -> bool:
        return self.estado in ESTADOS_ABIERTOS


class TransicionCaso(models.Model):
    caso = models.ForeignKey(Caso, on_delete=models.CASCADE, related_name="transiciones")
    desde = models.CharField(max_length=24, choices=EstadoCaso.choices)
    hasta = models.CharField(max_length=24, choices=EstadoCaso.choices)
    accion = models.CharField(max_length=30)
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comentario = models.TextField(blank=True)
    fecha = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transición del caso")
        verbose_name_plural = _("transiciones del caso")
        ordering = ["fecha", "pk"]

    def __str__(self) -> str:
        return f"{self.caso} {self.desde} → {self.hasta}"


class Mensaje(models.Model):
    """A message of the conversation, or an internal note (``interno``: SERMIG staff only)."""

    caso = models.ForeignKey(Caso, on_delete=models.CASCADE, related_name="mensajes")
    autor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    texto = models.TextField(_("mensaje"))
    interno = models.BooleanField(_("nota interna (solo SERMIG)"), default=False)
    adjunto = models.ForeignKey("sello.Archivo", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    creado_en = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mensaje")
        verbose_name_plural = _("mensajes")
        ordering = ["creado_en", "pk"]

    def __str__(self) -> str:
        return f"{self.caso} · {self.creado_en:%Y-%m-%d %H:%M}"


class AccesoSensible(models.Model):
    """Every opening of a sensitive case: who and when (read by national staff)."""

    caso = models.ForeignKey(Caso, on_delete=models.CASCADE, related_name="accesos")
    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    fecha = models.DateTimeField(auto_now_add=True)
    via = models.CharField(max_length=10, default="web")

    class Meta:
        verbose_name = _("acceso a caso sensible")
        verbose_name_plural = _("accesos a casos sensibles")
        ordering = ["-fecha"]

    def __str__(self) -> str:
        return f"{self.usuario} → {self.caso} ({self.fecha:%Y-%m-%d %H:%M})"


class AccionPrivacidad(models.TextChoices):
    EXPORTAR = "exportar", _("Exportación de sus datos")
    RECTIFICAR = "rectificar", _("Rectificación")
    BLOQUEAR = "bloquear", _("Bloqueo")
    DESBLOQUEAR = "desbloquear", _("Desbloqueo")
    ANONIMIZAR = "anonimizar", _("Anonimización")


class OperacionPrivacidad(models.Model):
    """Every exercise of a data-protection right on a person (read by national staff).

    ``detalle`` never holds personal data: the export's format, the names of the rectified
    fields, counts. ``usuario`` is empty for the retention task."""

    TERRITORIO = "persona__comuna"

    persona = models.ForeignKey(Persona, on_delete=models.PROTECT, related_name="operaciones_privacidad")
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accion = models.CharField(_("acción"), max_length=12, choices=AccionPrivacidad.choices)
    detalle = models.CharField(_("detalle"), max_length=200, blank=True)
    fecha = models.DateTimeField(_("fecha"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("operación de protección de datos")
        verbose_name_plural = _("operaciones de protección de datos")
        ordering = ["-fecha", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_accion_display()} · {self.fecha:%Y-%m-%d %H:%M}"


class PlazoRespuesta(models.Model):
    """Response time (hours) by case type and priority; configurable by national staff."""

    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoCaso.choices)
    prioridad = models.CharField(_("prioridad"), max_length=10, choices=Prioridad.choices)
    horas = models.PositiveIntegerField(_("horas para responder"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plazo de respuesta")
        verbose_name_plural = _("plazos de respuesta")
        constraints = [models.UniqueConstraint(fields=["tipo", "prioridad"], name="plazo_unico_por_tipo_prioridad")]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} / {self.get_prioridad_display()}: {self.horas} h"


class SecuenciaFolio(models.Model):
    """Next folio number per comuna and year (locked row: no duplicates under concurrency)."""

    comuna = models.ForeignKey(Comuna, on_delete=models.CASCADE, related_name="+")
    anio = models.PositiveSmallIntegerField()
    ultimo = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comuna", "anio"], name="folio_unico_por_comuna_anio")]

    def __str__(self) -> str:
        return f"{self.comuna_id}-{self.anio}: {self.ultimo}"
