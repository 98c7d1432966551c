"""API of statistics: ``/api/v1/minutas/`` (list, detail, PDF download, request generation)
and ``/api/v1/estadisticas/`` (suppressed aggregates per comuna, región or country)."""

from .agregados import EstadisticasViewSet
from .minutas import MinutaViewSet

__all__ = ["EstadisticasViewSet", "MinutaViewSet"]
