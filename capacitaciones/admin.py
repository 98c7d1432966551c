"""Admin of trainings, operativos and good practices for SERMIG staff (regional: its región;
national: everything). The Comité Evaluador has nothing to do here (403).

Everything is read-only: trainings, attendance, certificates, operativos and the review of good
practices change only through the services, from the platform's pages (each record links to
its page). Trainings span several municipalities, so they are scoped by
``Capacitacion.filtro_alcance`` (through ``scoped``), not by a single comuna.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Count, Min, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from municipios.models import Rol
from municipios.scoping import HistorialSoloLecturaMixin, ScopedAdminMixin, scoped
from sello.models import Linea

from .models import (
    BuenaPractica,
    Capacitacion,
    DispositivoTerritorial,
    EstadoInscripcion,
    Inscripcion,
    Servicio,
    Sesion,
)


def es_sermig(request: HttpRequest) -> bool:
    """Regional or national staff."""
    user: Any = request.user
    return bool(user.is_active and user.is_staff and user.rol in (Rol.REGIONAL, Rol.NACIONAL))


def _enlace(url: str, texto: str) -> str:
    return format_html('<a href="{}">{}</a>', url, texto)


class SoloLecturaMixin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SoloLecturaInline(admin.TabularInline[Any, Capacitacion]):
    extra = 0
    can_delete = False
    show_change_link = False

    # The parent admin already decided the user may see this training.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_sermig(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SesionInline(SoloLecturaInline):
    model = Sesion
    fields = readonly_fields = ("inicio", "fin", "lugar")


class InscripcionInline(SoloLecturaInline):
    model = Inscripcion
    verbose_name_plural = _("participantes")
    # Minimum necessary: no RUN and no survey link here.
    fields = readonly_fields = ("nombre", "email", "institucion", "unidad", "municipalidad", "estado")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Inscripcion]:
        return super().get_queryset(request).select_related("municipalidad")


@admin.register(Capacitacion)
class CapacitacionAdmin(SoloLecturaMixin, HistorialSoloLecturaMixin, SimpleHistoryAdmin):
    """Read-only, scoped like the training pages (organised in or inviting the user's territory)."""

    list_display = [
        "titulo",
        "organizador",
        "organiza",
        "tema",
        "modalidad",
        "primera_sesion",
        "n_sesiones",
        "n_inscritas",
        "cupo",
    ]
    list_select_related = ["region", "municipalidad_organizadora"]
    list_filter = ["organizador", "tema", "modalidad", "region"]
    search_fields = ["titulo", "municipalidad_organizadora__nombre", "invitaciones__municipalidad__nombre"]
    fields = readonly_fields = (
        "titulo",
        "tema",
        "modalidad",
        "descripcion",
        "organizador",
        "region",
        "municipalidad_organizadora",
        "invitadas_lista",
        "audiencias",
        "cupo",
        "horas",
        "asistencia_minima",
        "creada_por",
        "creada_en",
    )
    inlines = [SesionInline, InscripcionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Capacitacion]:
        qs = super().get_queryset(request).select_related("region", "municipalidad_organizadora", "creada_por")
        return scoped(request.user, qs).annotate(
            n_sesiones=Count("sesiones", distinct=True),
            n_inscritas=Count(
                "inscripciones", filter=Q(inscripciones__estado=EstadoInscripcion.INSCRITA), distinct=True
            ),
            primera=Min("sesiones__inicio"),
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return es_sermig(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Object-level too: the history screens fetch the object without get_queryset.
        if not es_sermig(request):
            return False
        return obj is None or scoped(request.user, Capacitacion.objects.filter(pk=obj.pk)).exists()

    @admin.display(description=_("organiza"))
    def organiza(self, obj: Capacitacion) -> str:
        if obj.municipalidad_organizadora_id:
            return str(obj.municipalidad_organizadora)
        return str(obj.region) if obj.region_id else gettext("SERMIG nacional")

    @admin.display(description=_("primera sesión"), ordering="primera")
    def primera_sesion(self, obj: Any) -> Any:
        return obj.primera

    @admin.display(description=_("sesiones"), ordering="n_sesiones")
    def n_sesiones(self, obj: Any) -> int:
        return int(obj.n_sesiones)

    @admin.display(description=_("inscritas"), ordering="n_inscritas")
    def n_inscritas(self, obj: Any) -> int:
        return int(obj.n_inscritas)

    @admin.display(description=_("municipalidades invitadas"))
    def invitadas_lista(self, obj: Capacitacion) -> str:
        nombres = obj.invitaciones.select_related("municipalidad").order_by("municipalidad__nombre")
        return ", ".join(i.municipalidad.nombre for i in nombres) or "—"


class TerritorialAdmin(SoloLecturaMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Comuna-scoped records, read-only, for regional and national staff."""

    def _es_sermig(self, request: HttpRequest) -> bool:
        return es_sermig(request)

    @admin.display(description=_("región"), ordering="comuna__region")
    def region(self, obj: Any) -> str:
        return str(obj.comuna.region)


@admin.register(DispositivoTerritorial)
class DispositivoTerritorialAdmin(TerritorialAdmin):
    list_display = ["fecha", "tipo", "comuna", "region", "lugar", "total", "nna", "mayores_60", "pagina"]
    list_select_related = ["comuna__region"]
    list_filter = ["tipo", "fecha", "comuna__region"]
    search_fields = ["lugar", "comuna__nombre", "comuna__cut", "instituciones"]
    fields = readonly_fields = (
        "pagina",
        "tipo",
        "fecha",
        "comuna",
        "lugar",
        "servicios_ofrecidos",
        "instituciones",
        "mujeres",
        "hombres",
        "otros",
        "total",
        "nna",
        "mayores_60",
        "registrado_por",
        "registrado_en",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[DispositivoTerritorial]:
        return super().get_queryset(request).select_related("comuna__region", "registrado_por")

    @admin.display(description=_("personas atendidas"))
    def total(self, obj: DispositivoTerritorial) -> int:
        return obj.total

    @admin.display(description=_("servicios ofrecidos"))
    def servicios_ofrecidos(self, obj: DispositivoTerritorial) -> str:
        return ", ".join(str(Servicio(s).label) for s in obj.servicios if s in Servicio.values) or "—"

    @admin.display(description=_("página"))
    def pagina(self, obj: DispositivoTerritorial) -> str:
        return _enlace(reverse("capacitaciones:dispositivo", kwargs={"uuid": obj.uuid}), gettext("Abrir el operativo"))


@admin.register(BuenaPractica)
class BuenaPracticaAdmin(TerritorialAdmin):
    """Read-only: SERMIG national publishes or observes on the practice's page."""

    list_display = ["nombre", "comuna", "region", "anio_inicio", "estado", "publicada_en", "pagina"]
    list_select_related = ["comuna__region"]
    list_filter = ["estado", "anio_inicio", "comuna__region"]
    search_fields = ["nombre", "responsable", "comuna__nombre", "comuna__cut"]
    fields = readonly_fields = (
        "pagina",
        "nombre",
        "comuna",
        "anio_inicio",
        "responsable",
        "lineas_de_accion",
        "base_legal",
        "descripcion",
        "objetivos",
        "actividades",
        "indicadores",
        "medios_verificacion",
        "resultados",
        "estado",
        "comentario_revision",
        "enviada_por",
        "creada_en",
        "publicada_en",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[BuenaPractica]:
        return super().get_queryset(request).select_related("comuna__region", "enviada_por")

    @admin.display(description=_("líneas de acción"))
    def lineas_de_accion(self, obj: BuenaPractica) -> str:
        return ", ".join(str(Linea(n).label) for n in obj.lineas if n in Linea.values) or "—"

    @admin.display(description=_("página"))
    def pagina(self, obj: BuenaPractica) -> str:
        return _enlace(reverse("capacitaciones:practica", kwargs={"uuid": obj.uuid}), gettext("Abrir la práctica"))
