"""The user's own in-app notifications: list, mark one read, mark all read.

Notifications belong to one user, not to a territory: every read is filtered by
``usuario=request.user`` (someone else's notification is a 404, never its content)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ..models import Notificacion
from ..services import notificaciones as notificaciones_services

PAGE_SIZE = 25


def _propias(request: HttpRequest) -> QuerySet[Notificacion]:
    usuario: Any = request.user  # a Usuario: every view here requires login
    return Notificacion.objects.filter(usuario=usuario)


@login_required
@require_GET
def notificacion_list(request: HttpRequest) -> HttpResponse:
    """Newest first, unread highlighted."""
    page = Paginator(_propias(request).order_by("-creada_en", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sello/notificaciones/list.html", {"page": page})


@login_required
@require_POST
def notificacion_leida(request: HttpRequest, pk: int) -> HttpResponse:
    notificacion = get_object_or_404(_propias(request), pk=pk)
    notificaciones_services.notificacion_marcar_leida(notificacion=notificacion, usuario=request.user)
    return redirect("sello:notificaciones")


@login_required
@require_POST
def notificaciones_leidas(request: HttpRequest) -> HttpResponse:
    n = notificaciones_services.notificaciones_marcar_todas_leidas(usuario=request.user)
    messages.success(
        request,
        ngettext("Se marcó %(n)d notificación como leída.", "Se marcaron %(n)d notificaciones como leídas.", n)
        % {"n": n}
        if n
        else _("No tenía notificaciones sin leer."),
    )
    return redirect("sello:notificaciones")


urlpatterns: list[URLPattern] = [
    path("notificaciones/", notificacion_list, name="notificaciones"),
    path("notificaciones/leidas/", notificaciones_leidas, name="notificaciones_leidas"),
    path("notificaciones/<int:pk>/leida/", notificacion_leida, name="notificacion_leida"),
]
