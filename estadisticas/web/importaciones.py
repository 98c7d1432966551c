"""Imports of official data (INE, SERMIG), for national staff: the list, the upload form and the
page of one import with its progress, totals and report.

An upload is stored and recorded by the service, which queues the import (a Celery task) once
the record is committed; the import's page refreshes itself every few seconds while the import
is pending or running, showing the lines read so far. Only national staff (``nacional``) see
these pages: other roles get 403, anonymous visitors the login page. Imports are not
territorial data (they are whole official files), so no scoping applies.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from municipios.models import Rol

from .. import services
from ..forms import ImportacionForm
from ..importadores import ErrorDeImportacion
from ..models import EstimacionExtranjeros, Importacion, IndicadorOficial

PAGE_SIZE = 25
# Seconds between refreshes of an import's page while it is pending or running.
REFRESCO_SEGUNDOS = 3
EN_CURSO = (Importacion.Estado.PENDIENTE, Importacion.Estado.PROCESANDO)


def _exigir_nacional(user: Any) -> None:
    if getattr(user, "rol", None) != Rol.NACIONAL or not user.is_active:
        raise PermissionDenied


@login_required
@require_GET
def importaciones(request: HttpRequest) -> HttpResponse:
    """Every import, newest first (one page)."""
    _exigir_nacional(request.user)
    qs = Importacion.objects.select_related("creado_por").order_by("-creado_en", "-pk")
    pagina = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "estadisticas/importaciones/lista.html", {"page": pagina, "query": ""})


@login_required
@require_http_methods(["GET", "POST"])
def importacion_nueva(request: HttpRequest) -> HttpResponse:
    """Upload an official file: recorded now, imported by a background task."""
    user: Any = request.user
    _exigir_nacional(user)
    status = 200
    if request.method == "POST":
        form = ImportacionForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            datos = form.cleaned_data
            try:
                importacion = services.importacion_subir(
                    fuente=datos["fuente"],
                    release=datos["release"],
                    archivo=datos["archivo"],
                    nombre=datos["archivo"].name,
                    usuario=user,
                    permitir_no_reconocidas=datos["permitir_no_reconocidas"],
                )
            except ErrorDeImportacion as exc:
                form.add_error(None, exc.mensaje)
            else:
                messages.success(request, _("Archivo recibido. La importación se procesa en segundo plano."))
                return redirect("estadisticas:importacion", pk=importacion.pk)
    else:
        form = ImportacionForm()
    return render(request, "estadisticas/importaciones/nueva.html", {"form": form}, status=status)


@login_required
@require_GET
def importacion(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: state, progress while it runs, totals and the report of rows not imported."""
    _exigir_nacional(request.user)
    obj = get_object_or_404(Importacion.objects.select_related("creado_por"), pk=pk)
    en_curso = obj.estado in EN_CURSO
    reporte = obj.reporte or {}
    return render(
        request,
        "estadisticas/importaciones/detalle.html",
        {
            "importacion": obj,
            "en_curso": en_curso,
            "refresco": REFRESCO_SEGUNDOS,
            "progreso": services.progreso(obj.pk) if obj.estado == Importacion.Estado.PROCESANDO else None,
            "totales": filas_de_totales(obj.totales or {}),
            "cifras": (obj.totales or {}).get("cifras"),
            "no_reconocidas": reporte.get("no_reconocidas", []),
            "notas": reporte.get("notas", []),
            "region_ignorada": reporte.get("region_ignorada"),
            "sin_region": sorted((reporte.get("sin_region") or {}).items()),
        },
    )


def filas_de_totales(totales: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(concept, year, value) rows of an import's totals, whatever the source's shape."""
    filas: list[tuple[str, str, int]] = []
    for indicador, por_anio in sorted((totales.get("por_indicador") or {}).items()):
        etiqueta = str(IndicadorOficial(indicador).label) if indicador in IndicadorOficial.values else indicador
        filas += [(etiqueta, anio, valor) for anio, valor in sorted(por_anio.items())]
    for anio, valor in sorted((totales.get("por_anio") or {}).items()):
        if isinstance(valor, dict):  # INE-SERMIG estimates: one sum per numeric column
            filas += [(_campo(campo), anio, n) for campo, n in valor.items()]
        else:
            filas.append((_("Filas"), anio, valor))
    return filas


def _campo(nombre: str) -> str:
    campo = EstimacionExtranjeros._meta.get_field(nombre)
    assert isinstance(campo, models.Field)
    return str(campo.verbose_name).capitalize()


urlpatterns: list[URLPattern] = [
    path("", importaciones, name="importaciones"),
    path("nueva/", importacion_nueva, name="importacion_nueva"),
    path("<int:pk>/", importacion, name="importacion"),
]
