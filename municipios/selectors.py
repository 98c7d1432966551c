"""Reads of territorial data for views, API and admin; always through the scoping helper."""

from typing import Any

from django.db.models import QuerySet

from .models import Municipalidad
from .scoping import scoped


def municipalidades_visibles(*, usuario: Any) -> QuerySet[Municipalidad]:
    """The municipalities ``usuario`` may see, with their territory preloaded."""
    return scoped(
        usuario,
        Municipalidad.objects.select_related("comuna__provincia", "comuna__region"),
    ).order_by("comuna_id")


def municipalidad_detalle_qs() -> QuerySet[Municipalidad]:
    return Municipalidad.objects.select_related("comuna__provincia", "comuna__region", "contacto_regional")
