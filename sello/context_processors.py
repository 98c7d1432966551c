"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Notificacion


def notificaciones(request: HttpRequest) -> dict[str, Any]:
    """``notificaciones_sin_leer``: the user's unread count for the navigation.

    Lazy: one COUNT query only on pages that show it, none for anonymous visitors."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notificaciones_sin_leer": SimpleLazyObject(
            lambda: Notificacion.objects.filter(usuario=user, leida_en__isnull=True).count()
        )
    }
