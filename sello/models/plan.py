"""Work plan (actions per line) and the evidence (medios de verificación) of each action."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .adhesion import Adhesion
from .archivo import Archivo
from .catalogo import AccionCatalogo, Linea


class EstadoPlan(models.TextChoices):
    BORRADOR = "borrador", _("En elaboración")
    ENVIADO = "enviado", _("Enviado a revisión")
    OBSERVADO = "observado", _("Observado")
    APROBADO = "aprobado", _("Aprobado")


class PlanTrabajo(models.Model):
    TERRITORIO = "adhesion__municipalidad__comuna"
    VISIBLE_A_EVALUADOR = True

    adhesion = models.OneToOneField(Adhesion, on_delete=models.CASCADE, related_name="plan", verbose_name=_("adhesión"))
    estado = models.CharField(_("estado"), max_length=20, choices=EstadoPlan.choices, default=EstadoPlan.BORRADOR)
    enviado_en = models.DateTimeField(_("enviado"), null=True, blank=True)
    revisado_en = models.DateTimeField(_("revisado"), null=True, blank=True)
    revisado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revisado por"),
    )
    comentario_revision = models.TextField(_("comentario de la revisión"), blank=True)
    version = models.PositiveIntegerField(_("versión"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan de trabajo")
        verbose_name_plural = _("planes de trabajo")
        indexes = [models.Index(fields=["estado", "enviado_en"], name="plan_estado_enviado")]

    def __str__(self) -> str:
        return f"Plan de trabajo · {self.adhesion}"


class AccionPlan(models.Model):
    """An action of the work plan: from the catalogue, or the municipality's own."""

    TERRITORIO = "plan__adhesion__municipalidad__comuna"
    VISIBLE_A_EVALUADOR = True

    plan = models.ForeignKey(PlanTrabajo, on_delete=models.CASCADE, related_name="acciones", verbose_name=_("plan"))
    accion_catalogo = models.ForeignKey(
        AccionCatalogo,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acción del catálogo"),
    )
    linea = models.PositiveSmallIntegerField(_("línea"), choices=Linea.choices)
    nombre = models.CharField(_("acción"), max_length=200)
    obligatoria = models.BooleanField(_("obligatoria"), default=False)
    unidad_responsable = models.CharField(_("unidad responsable"), max_length=120, blank=True)
    fecha_inicio = models.DateField(_("fecha de inicio"), null=True, blank=True)
    fecha_termino = models.DateField(_("fecha de término"), null=True, blank=True)
    indicador = models.CharField(_("indicador"), max_length=200, blank=True)
    meta = models.CharField(_("meta"), max_length=200, blank=True)
    no_aplica = models.BooleanField(_("no aplica"), default=False)
    justificacion_no_aplica = models.TextField(_("justificación de «no aplica»"), blank=True)
    orden = models.PositiveSmallIntegerField(_("orden"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acción del plan")
        verbose_name_plural = _("acciones del plan")
        ordering = ["plan", "linea", "orden", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(no_aplica=False) | Q(obligatoria=False), name="accion_obligatoria_siempre_aplica"
            ),
            models.CheckConstraint(
                condition=Q(fecha_inicio__isnull=True)
                | Q(fecha_termino__isnull=True)
                | Q(fecha_termino__gte=models.F("fecha_inicio")),
                name="accion_fechas_ordenadas",
            ),
        ]

    def __str__(self) -> str:
        return self.nombre


class EstadoEvidencia(models.TextChoices):
    ENVIADA = "enviada", _("Enviada, en revisión")
    ACEPTADA = "aceptada", _("Aceptada")
    OBSERVADA = "observada", _("Observada")
    RECHAZADA = "rechazada", _("Rechazada")


class Evidencia(models.Model):
    """A medio de verificación of an action: a validated file or a link."""

    TERRITORIO = "adhesion__municipalidad__comuna"
    VISIBLE_A_EVALUADOR = True

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    adhesion = models.ForeignKey(
        Adhesion, on_delete=models.CASCADE, related_name="evidencias", verbose_name=_("adhesión")
    )
    accion = models.ForeignKey(
        AccionPlan, on_delete=models.CASCADE, related_name="evidencias", verbose_name=_("acción")
    )
    descripcion = models.CharField(_("descripción"), max_length=300)
    archivo = models.ForeignKey(
        Archivo, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("archivo")
    )
    enlace = models.URLField(_("enlace"), max_length=500, blank=True)
    estado = models.CharField(
        _("estado"), max_length=20, choices=EstadoEvidencia.choices, default=EstadoEvidencia.ENVIADA
    )
    enviada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("enviada por")
    )
    enviada_en = models.DateTimeField(_("enviada"))
    revisada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revisada por"),
    )
    revisada_en = models.DateTimeField(_("revisada"), null=True, blank=True)
    comentario_revision = models.TextField(_("comentario de la revisión"), blank=True)
    reemplaza = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reemplazada_por",
        verbose_name=_("reemplaza a"),
        help_text=_("La evidencia observada que esta vuelve a presentar."),
    )
    heredada_de = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("heredada del ciclo anterior"),
    )
    version = models.PositiveIntegerField(_("versión"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidencia")
        verbose_name_plural = _("evidencias")
        ordering = ["enviada_en", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(archivo__isnull=False) & Q(enlace="")) | (Q(archivo__isnull=True) & ~Q(enlace="")),
                name="evidencia_archivo_o_enlace",
            ),
        ]
        indexes = [models.Index(fields=["estado", "enviada_en"], name="evidencia_estado_enviada")]

    def __str__(self) -> str:
        return self.descripcion
