"""Home (per role), public landing and health check."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from municipios.models import Rol

from . import health


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its home; anonymous visitors get the public landing page."""
    user: Any = request.user
    if not user.is_authenticated:
        return render(request, "home_publica.html")
    if user.rol == Rol.MUNICIPAL and user.municipalidad_id:
        return redirect("municipios:detail", uuid=user.municipalidad.uuid)
    if user.rol in (Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR) and (user.rol != Rol.REGIONAL or user.region_id):
        return redirect("municipios:list")
    return render(request, "sin_rol.html", status=403)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise; broker and workers are reported."""
    ok, cuerpo = health.estado()
    return JsonResponse(cuerpo, status=200 if ok else 503)
