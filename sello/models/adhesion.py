"""A municipality's seal cycle (adhesion), its explicit states and the transition log."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from municipios.models import Municipalidad

from .catalogo import CatalogoVersion, ReglaPuntaje


class EstadoSello(models.TextChoices):
    INTERESADA = "interesada", _("Interesada")
    ADHERIDA = "adherida", _("Adherida")
    PLAN_EN_ELABORACION = "plan_en_elaboracion", _("Plan en elaboración")
    PLAN_APROBADO = "plan_aprobado", _("Plan aprobado")
    EN_IMPLEMENTACION = "en_implementacion", _("En implementación")
    EVALUACION_SOLICITADA = "evaluacion_solicitada", _("Evaluación solicitada")
    EN_EVALUACION = "en_evaluacion", _("En evaluación")
    CERTIFICADA = "certificada", _("Certificada (vigente)")
    REVALIDACION_PENDIENTE = "revalidacion_pendiente", _("Revalidación pendiente")
    REVALIDADA = "revalidada", _("Revalidada")
    VENCIDA = "vencida", _("Vencida")
    RETIRADA = "retirada", _("Retirada")


ESTADOS_CON_SELLO_VIGENTE = (EstadoSello.CERTIFICADA, EstadoSello.REVALIDACION_PENDIENTE)
ESTADOS_CERRADOS = (EstadoSello.REVALIDADA, EstadoSello.VENCIDA, EstadoSello.RETIRADA)


class Adhesion(models.Model):
    """One municipality's seal cycle: cycle 1 is the first certification, later cycles are
    revalidations. Carries the catalogue and scoring rule versions it is measured against."""

    TERRITORIO = "municipalidad__comuna"
    VISIBLE_A_EVALUADOR = True

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipalidad = models.ForeignKey(
        Municipalidad, on_delete=models.PROTECT, related_name="adhesiones", verbose_name=_("municipalidad")
    )
    ciclo = models.PositiveSmallIntegerField(_("ciclo"), default=1)
    estado = models.CharField(_("estado"), max_length=30, choices=EstadoSello.choices, default=EstadoSello.INTERESADA)
    catalogo = models.ForeignKey(CatalogoVersion, on_delete=models.PROTECT, verbose_name=_("catálogo"))
    regla = models.ForeignKey(ReglaPuntaje, on_delete=models.PROTECT, verbose_name=_("regla de puntaje"))
    ciclo_anterior = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ciclo_siguiente",
        verbose_name=_("ciclo anterior"),
    )
    # Adhesion data (carta de compromiso, acuerdo del Concejo, encargado/a)
    fecha_adhesion = models.DateField(_("fecha de adhesión"), null=True, blank=True)
    acuerdo_concejo_numero = models.CharField(_("N° acuerdo del Concejo Municipal"), max_length=40, blank=True)
    acuerdo_concejo_fecha = models.DateField(_("fecha del acuerdo del Concejo"), null=True, blank=True)
    encargado_nombre = models.CharField(_("encargado/a designado/a"), max_length=120, blank=True)
    encargado_cargo = models.CharField(_("cargo del encargado/a"), max_length=120, blank=True)
    encargado_email = models.EmailField(_("correo del encargado/a"), blank=True)
    carta_firmada = models.ForeignKey(
        "sello.Archivo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carta de compromiso firmada"),
    )
    # Certification
    fecha_certificacion = models.DateField(_("fecha de certificación"), null=True, blank=True)
    vigente_hasta = models.DateField(_("vigente hasta"), null=True, blank=True)
    observaciones = models.TextField(_("observaciones vigentes"), blank=True)

    version = models.PositiveIntegerField(_("versión"), default=1, editable=False)
    creada_en = models.DateTimeField(_("creada"), auto_now_add=True)
    actualizada_en = models.DateTimeField(_("actualizada"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adhesión")
        verbose_name_plural = _("adhesiones")
        ordering = ["municipalidad_id", "-ciclo"]
        constraints = [
            models.UniqueConstraint(fields=["municipalidad", "ciclo"], name="adhesion_unica_por_ciclo"),
            models.CheckConstraint(
                condition=~Q(estado__in=ESTADOS_CON_SELLO_VIGENTE) | Q(vigente_hasta__isnull=False),
                name="adhesion_certificada_con_vigencia",
            ),
        ]
        indexes = [models.Index(fields=["estado", "vigente_hasta"], name="adhesion_estado_vigencia")]

    def __str__(self) -> str:
        return f"{self.municipalidad} · ciclo {self.ciclo}"


class TransicionSello(models.Model):
    """Log of every state change: who, when, from, to, and why."""

    adhesion = models.ForeignKey(
        Adhesion, on_delete=models.CASCADE, related_name="transiciones", verbose_name=_("adhesión")
    )
    desde = models.CharField(_("desde"), max_length=30, choices=EstadoSello.choices)
    hasta = models.CharField(_("hasta"), max_length=30, choices=EstadoSello.choices)
    accion = models.CharField(_("acción"), max_length=40)
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("usuario"),
        help_text=_("Vacío cuando la transición la hizo el sistema (tarea programada)."),
    )
    comentario = models.TextField(_("comentario"), blank=True)
    fecha = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("transición del sello")
        verbose_name_plural = _("transiciones del sello")
        ordering = ["fecha", "pk"]

    def __str__(self) -> str:
        return f"{self.desde} → {self.hasta}"
