"""Models of the seal app. For now: the workers' heartbeat reported by /healthz."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LatidoWorker(models.Model):
    """Last time a Celery worker ran the heartbeat task (one row per worker host)."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    ultimo = models.DateTimeField(_("último latido"))
    tareas = models.PositiveBigIntegerField(_("latidos registrados"), default=0)

    class Meta:
        verbose_name = _("latido de worker")
        verbose_name_plural = _("latidos de workers")

    def __str__(self) -> str:
        return f"{self.worker} @ {self.ultimo:%Y-%m-%d %H:%M:%S}"
