"""Scores (computed by a rule version), evaluations by the Comité Evaluador, the committee's
decision, certificates, expiry reminders and in-app notifications."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .adhesion import Adhesion
from .archivo import Archivo
from .catalogo import ReglaPuntaje


class Puntaje(models.Model):
    """A score computed from accepted evidence, naming the rule version that produced it."""

    TERRITORIO = "adhesion__municipalidad__comuna"
    VISIBLE_A_EVALUADOR = True

    adhesion = models.ForeignKey(
        Adhesion, on_delete=models.CASCADE, related_name="puntajes", verbose_name=_("adhesión")
    )
    regla = models.ForeignKey(ReglaPuntaje, on_delete=models.PROTECT, verbose_name=_("regla"))
    por_linea = models.JSONField(_("puntaje por línea (%)"))
    total = models.DecimalField(_("puntaje total"), max_digits=5, decimal_places=2)
    cumple = models.BooleanField(_("cumple para solicitar evaluación"))
    calculado_en = models.DateTimeField(_("calculado"), auto_now_add=True)

    class Meta:
        verbose_name = _("puntaje")
        verbose_name_plural = _("puntajes")
        ordering = ["-calculado_en", "-pk"]
        get_latest_by = ["calculado_en", "pk"]

    def __str__(self) -> str:
        return f"{self.total} ({self.regla})"


class Evaluacion(models.Model):
    """One evaluator's assessment of an adhesion: a score and comment per line."""

    TERRITORIO = "adhesion__municipalidad__comuna"
    VISIBLE_A_EVALUADOR = True

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    adhesion = models.ForeignKey(
        Adhesion, on_delete=models.CASCADE, related_name="evaluaciones", verbose_name=_("adhesión")
    )
    ronda = models.PositiveSmallIntegerField(_("ronda"), default=1)
    evaluador = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluaciones", verbose_name=_("evaluador/a")
    )
    asignada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asignada por")
    )
    asignada_en = models.DateTimeField(_("asignada"), auto_now_add=True)
    puntajes = models.JSONField(_("puntaje por línea"), default=dict, blank=True)
    comentarios = models.JSONField(_("comentario por línea"), default=dict, blank=True)
    comentario_general = models.TextField(_("comentario general"), blank=True)
    enviada_en = models.DateTimeField(_("enviada"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluación")
        verbose_name_plural = _("evaluaciones")
        ordering = ["adhesion", "ronda", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["adhesion", "ronda", "evaluador"], name="evaluacion_unica_por_evaluador_y_ronda"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.adhesion} · {self.evaluador}"


class Decision(models.TextChoices):
    OTORGAR = "otorgar", _("Otorgar el sello")
    OBSERVAR = "observar", _("Observar")
    RECHAZAR = "rechazar", _("Rechazar")


class DecisionComite(models.Model):
    TERRITORIO = "adhesion__municipalidad__comuna"
    VISIBLE_A_EVALUADOR = True

    adhesion = models.ForeignKey(
        Adhesion, on_delete=models.CASCADE, related_name="decisiones", verbose_name=_("adhesión")
    )
    ronda = models.PositiveSmallIntegerField(_("ronda"))
    decision = models.CharField(_("decisión"), max_length=10, choices=Decision.choices)
    resolucion_numero = models.CharField(_("N° de resolución"), max_length=40)
    resolucion_fecha = models.DateField(_("fecha de la resolución"))
    fundamento = models.TextField(_("fundamento"), blank=True)
    registrada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrada por")
    )
    registrada_en = models.DateTimeField(_("registrada"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decisión del comité")
        verbose_name_plural = _("decisiones del comité")
        ordering = ["adhesion", "ronda"]
        constraints = [
            models.UniqueConstraint(fields=["adhesion", "ronda"], name="decision_unica_por_ronda"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.resolucion_numero}"


def nuevo_codigo() -> str:
    # 128 random bits, URL-safe: unguessable and short enough for a QR code.
    return secrets.token_urlsafe(16)


class Certificado(models.Model):
    """The seal certificate of an adhesion: public verification by code, PDF for download."""

    TERRITORIO = "adhesion__municipalidad__comuna"
    VISIBLE_A_EVALUADOR = True

    adhesion = models.OneToOneField(
        Adhesion, on_delete=models.PROTECT, related_name="certificado", verbose_name=_("adhesión")
    )
    codigo = models.CharField(_("código de verificación"), max_length=40, unique=True, default=nuevo_codigo)
    municipalidad_nombre = models.CharField(_("municipalidad"), max_length=120)
    region_nombre = models.CharField(_("región"), max_length=120)
    resolucion_numero = models.CharField(_("N° de resolución"), max_length=40)
    emitido_en = models.DateField(_("emitido"))
    vigente_hasta = models.DateField(_("vigente hasta"))
    revocado_en = models.DateTimeField(_("revocado"), null=True, blank=True)
    motivo_revocacion = models.TextField(_("motivo de la revocación"), blank=True)
    pdf = models.ForeignKey(Archivo, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificado del sello")
        verbose_name_plural = _("certificados del sello")
        ordering = ["-emitido_en"]

    def __str__(self) -> str:
        return f"{self.municipalidad_nombre} · {self.codigo}"


class Recordatorio(models.Model):
    """An expiry reminder already sent: the unique constraint makes the task idempotent."""

    adhesion = models.ForeignKey(Adhesion, on_delete=models.CASCADE, related_name="recordatorios")
    dias = models.PositiveSmallIntegerField(_("días antes del vencimiento"))
    vigente_hasta = models.DateField(_("vencimiento recordado"))
    enviado_en = models.DateTimeField(_("enviado"), auto_now_add=True)

    class Meta:
        verbose_name = _("recordatorio de vencimiento")
        verbose_name_plural = _("recordatorios de vencimiento")
        constraints = [
            models.UniqueConstraint(fields=["adhesion", "dias", "vigente_hasta"], name="recordatorio_unico_por_umbral"),
        ]

    def __str__(self) -> str:
        return f"{self.adhesion} · {self.dias} días"


class Notificacion(models.Model):
    """An in-app notification for one user."""

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notificaciones")
    titulo = models.CharField(_("título"), max_length=200)
    cuerpo = models.TextField(_("mensaje"), blank=True)
    url = models.CharField(_("enlace"), max_length=300, blank=True)
    creada_en = models.DateTimeField(_("creada"), auto_now_add=True)
    leida_en = models.DateTimeField(_("leída"), null=True, blank=True)
    correo_enviado_en = models.DateTimeField(_("correo enviado"), null=True, blank=True)

    class Meta:
        verbose_name = _("notificación")
        verbose_name_plural = _("notificaciones")
        ordering = ["-creada_en", "-pk"]
        indexes = [models.Index(fields=["usuario", "leida_en"], name="notificacion_usuario_leida")]

    def __str__(self) -> str:
        return self.titulo
