"""The five lines of action, the catalogue of expected actions and the scoring rule.

Both the catalogue and the rule are versioned: an adhesion keeps the versions it started
with, and a published version is never edited (national staff clone it into a new draft).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Linea(models.IntegerChoices):
    INSTITUCIONALIDAD = 1, _("Institucionalidad")
    CAPACITACIONES = 2, _("Capacitaciones")
    POLITICAS_LOCALES = 3, _("Políticas públicas locales")
    REGULARIDAD = 4, _("Regularidad migratoria")
    ASOCIATIVIDAD = 5, _("Asociatividad y participación")


class CatalogoVersion(models.Model):
    """A version of the catalogue of expected actions, e.g. "2026"."""

    codigo = models.CharField(_("código"), max_length=20, unique=True)
    nombre = models.CharField(_("nombre"), max_length=120)
    descripcion = models.TextField(_("descripción"), blank=True)
    publicada_en = models.DateTimeField(_("publicada"), null=True, blank=True)
    creada_en = models.DateTimeField(_("creada"), auto_now_add=True)
    basada_en = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("basada en"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("versión del catálogo")
        verbose_name_plural = _("versiones del catálogo")
        ordering = ["-publicada_en", "-creada_en"]

    def __str__(self) -> str:
        return self.nombre

    @property
    def publicada(self) -> bool:
        return self.publicada_en is not None


class AccionCatalogo(models.Model):
    """An expected action of a line, with its medios de verificación."""

    catalogo = models.ForeignKey(
        CatalogoVersion, on_delete=models.CASCADE, related_name="acciones", verbose_name=_("catálogo")
    )
    linea = models.PositiveSmallIntegerField(_("línea"), choices=Linea.choices)
    codigo = models.CharField(_("código"), max_length=10, help_text=_("Por ejemplo: 1.2"))
    nombre = models.CharField(_("acción"), max_length=200)
    descripcion = models.TextField(_("descripción"), blank=True)
    medios_verificacion = models.TextField(_("medios de verificación"))
    obligatoria = models.BooleanField(_("obligatoria"), default=False)
    orden = models.PositiveSmallIntegerField(_("orden"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acción del catálogo")
        verbose_name_plural = _("acciones del catálogo")
        ordering = ["catalogo", "linea", "orden", "codigo"]
        constraints = [
            models.UniqueConstraint(fields=["catalogo", "codigo"], name="accion_catalogo_codigo_unico"),
        ]

    def __str__(self) -> str:
        return f"{self.codigo} {self.nombre}"


class ReglaPuntaje(models.Model):
    """An explicit, versioned scoring rule.

    ``pesos``: weight of each line (sums 100). ``minimos``: minimum share (0-100) of the
    applicable actions of each line with accepted evidence. ``umbral``: minimum overall score.
    Actions marked "no aplica" leave the denominator when ``no_aplica_excluye`` is on,
    otherwise they count as not done. Mandatory actions can never be "no aplica".
    """

    version = models.PositiveSmallIntegerField(_("versión"), unique=True)
    nombre = models.CharField(_("nombre"), max_length=120)
    pesos = models.JSONField(_("pesos por línea"))
    minimos = models.JSONField(_("mínimo por línea (%)"))
    umbral = models.PositiveSmallIntegerField(_("puntaje mínimo total"))
    no_aplica_excluye = models.BooleanField(_("«no aplica» sale del denominador"), default=True)
    publicada_en = models.DateTimeField(_("publicada"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regla de puntaje")
        verbose_name_plural = _("reglas de puntaje")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(condition=Q(umbral__lte=100), name="regla_umbral_hasta_100"),
        ]

    def __str__(self) -> str:
        return f"{self.nombre} (v{self.version})"

    def peso(self, linea: int) -> int:
        return int(self.pesos[str(linea)])

    def minimo(self, linea: int) -> int:
        return int(self.minimos[str(linea)])
