"""Admin of statistics for SERMIG staff.

- Minutas: region-scoped (``ScopedAdminMixin``) and read-only; regional and national staff see
  their jobs and errors and can queue them again ("Regenerar", which calls ``minuta_solicitar``).
  The Comité Evaluador has no minutas (403).
- Imports of official data: national staff only, read-only (they are made from the upload page
  or the management command, never edited).
- The summary tables (``ResumenMensual`` and the rest) are deliberately NOT registered: they
  hold the unsuppressed small counts of sensitive cases per comuna and month, which are only
  ever published through the suppression of ``estadisticas.selectors``.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from municipios.models import Rol
from municipios.scoping import ScopedAdminMixin
from sello.admin.comun import SoloLecturaNacionalMixin

from .minutas import minuta_solicitar
from .models import Importacion, Minuta
from .periodos import Periodo

SERMIG = (Rol.REGIONAL, Rol.NACIONAL)


def es_sermig(request: HttpRequest) -> bool:
    """Regional or national staff (the Comité Evaluador has no minutas)."""
    user: Any = request.user
    return bool(user.is_active and user.is_staff and user.rol in SERMIG)


@admin.register(Minuta)
class MinutaAdmin(ScopedAdminMixin):
    """Read-only and region-scoped; a job is queued again by the "Regenerar" action."""

    list_display = ["comuna", "region", "periodo", "version_plantilla", "estado", "intentos", "generada_en", "pdf"]
    list_select_related = ["comuna__region"]
    list_filter = ["estado", "periodo", "version_plantilla", "comuna__region"]
    search_fields = ["comuna__nombre", "comuna__cut"]
    ordering = ["-periodo", "comuna_id"]
    fields = readonly_fields = (
        "uuid",
        "comuna",
        "periodo",
        "version_plantilla",
        "estado",
        "error",
        "pdf",
        "huella",
        "tamano",
        "intentos",
        "omitidas",
        "solicitada_por",
        "solicitada_en",
        "iniciada_en",
        "generada_en",
    )
    actions = ["regenerar"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Minuta]:
        return super().get_queryset(request).select_related("comuna__region", "solicitada_por")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return es_sermig(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_sermig(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_regenerar_permission(self, request: HttpRequest) -> bool:
        return es_sermig(request)

    @admin.display(description=_("Región"), ordering="comuna__region")
    def region(self, obj: Minuta) -> str:
        return obj.comuna.region.nombre_corto

    @admin.display(description=_("PDF"))
    def pdf(self, obj: Minuta) -> str:
        if obj.estado != Minuta.Estado.LISTA:
            return "—"
        url = reverse("estadisticas:minuta_descargar", kwargs={"uuid": obj.uuid})
        return format_html('<a href="{}">{}</a>', url, gettext("Descargar"))

    @admin.action(description=_("Regenerar las minutas seleccionadas"), permissions=["regenerar"])
    def regenerar(self, request: HttpRequest, queryset: QuerySet[Minuta]) -> None:
        # The changelist's queryset is the scoped one: only minutas of the user's territory.
        minutas = list(queryset.select_related("comuna"))
        for minuta in minutas:
            minuta_solicitar(comuna=minuta.comuna, periodo=Periodo.desde_texto(minuta.periodo), usuario=request.user)
        self.message_user(
            request,
            ngettext(
                "%(n)d minuta quedó en cola para generarse.",
                "%(n)d minutas quedaron en cola para generarse.",
                len(minutas),
            )
            % {"n": len(minutas)},
            messages.SUCCESS,
        )


@admin.register(Importacion)
class ImportacionAdmin(SoloLecturaNacionalMixin, admin.ModelAdmin[Importacion]):
    """National staff only, read-only: the record of each official file imported."""

    list_display = ["fuente", "release", "estado", "filas", "nombre_archivo", "creado_por", "creado_en", "terminado_en"]
    list_select_related = ["creado_por"]
    list_filter = ["fuente", "estado", "release"]
    search_fields = ["release", "nombre_archivo", "checksum"]
    fields = readonly_fields = (
        "fuente",
        "release",
        "estado",
        "nombre_archivo",
        "checksum",
        "filas",
        "totales",
        "reporte",
        "error",
        "permitir_no_reconocidas",
        "creado_por",
        "creado_en",
        "terminado_en",
    )
