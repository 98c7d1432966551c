"""Admin of cases for SERMIG staff (regional: its región; national: everything).

The Comité Evaluador sees no cases, here as everywhere (403). Cases are read-only: their
state, assignment and conversation change only through the services, from the case pages
(each record links to its page). Names of sensitive cases are masked here too and document
numbers always; opening a sensitive case's record (description, conversation and internal
notes - the admin is SERMIG-only) is logged in the access log like opening its page.

``Persona`` is deliberately NOT registered: the admin is a management tool and needs no
more personal data than the case shows (minimum necessary, PRODUCT.md §4). A Persona
changelist would list names, documents and contacts of every person of the territory,
sensitive cases' included, with no case context and no access log; people are registered
and corrected by their municipality on the case pages.

Response times (``PlazoRespuesta``) are national configuration with history: regional staff
read them, national staff edit the hours. The access log is for national staff, read-only.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from municipios.models import Rol
from municipios.scoping import HistorialSoloLecturaMixin, ScopedAdminMixin, puede_ver
from sello.admin.comun import SoloLecturaNacionalMixin, es_nacional

from . import services
from .models import AccesoSensible, Caso, Mensaje, PlazoRespuesta, TransicionCaso
from .privacidad import ocultar_bloqueadas
from .selectors import documento_visible, nombre_visible


def es_sermig(request: HttpRequest) -> bool:
    """Regional or national staff: the Comité Evaluador has no access to cases."""
    user: Any = request.user
    return bool(user.is_active and user.is_staff and user.rol in (Rol.REGIONAL, Rol.NACIONAL))


class SoloLecturaInline(admin.TabularInline[Any, Caso]):
    extra = 0
    can_delete = False

    # The parent admin already decided the user may see this case.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_sermig(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TransicionInline(SoloLecturaInline):
    model = TransicionCaso
    verbose_name_plural = _("historial de estados")
    fields = readonly_fields = ("fecha", "accion", "desde", "hasta", "usuario", "comentario")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TransicionCaso]:
        return super().get_queryset(request).select_related("usuario")


class MensajeInline(SoloLecturaInline):
    model = Mensaje
    verbose_name_plural = _("conversación y notas internas")
    fields = readonly_fields = ("creado_en", "autor", "interno", "texto", "adjunto_nombre")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mensaje]:
        return super().get_queryset(request).select_related("autor", "adjunto")

    @admin.display(description=_("adjunto"))
    def adjunto_nombre(self, obj: Mensaje) -> str:
        # The name only: files are downloaded from the case page (permission-checked view).
        return obj.adjunto.nombre_original if obj.adjunto else "—"


@admin.register(Caso)
class CasoAdmin(ScopedAdminMixin):
    """Read-only and region-scoped; the name masked for sensitive cases, the document always."""

    list_display = [
        "folio",
        "comuna",
        "tipo",
        "prioridad",
        "estado",
        "vencido",
        "asignado",
        "persona_visible",
        "plazo",
        "pagina",
    ]
    list_select_related = ["comuna__region", "persona", "asignado_a"]
    list_filter = ["estado", "tipo", "prioridad", "vencido", "comuna__region"]
    search_fields = ["folio", "numero_solicitud_sermig"]
    fields = readonly_fields = (
        "pagina",
        "folio",
        "comuna",
        "persona_visible",
        "documento",
        "tipo",
        "subtipo",
        "prioridad",
        "canal",
        "sensible",
        "descripcion",
        "consentimiento",
        "consentimiento_fecha",
        "numero_solicitud_sermig",
        "estado",
        "asignado",
        "derivado_en",
        "plazo",
        "vencido",
        "resuelto_en",
        "resolucion",
        "creado_en",
        "actualizado_en",
        "version",
    )
    inlines = [TransicionInline, MensajeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Caso]:
        qs = super().get_queryset(request).select_related("comuna__region", "persona", "asignado_a")
        return ocultar_bloqueadas(request.user, qs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return es_sermig(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_sermig(request) and (obj is None or puede_ver(request.user, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        # Reached only after the permission checks: the record is about to be shown.
        if obj is not None:
            services.acceso_registrar(caso=obj, usuario=request.user, via="admin")
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("persona"))
    def persona_visible(self, obj: Caso) -> str:
        return nombre_visible(obj)

    @admin.display(description=_("documento"))
    def documento(self, obj: Caso) -> str:
        return documento_visible(obj) or "—"

    @admin.display(description=_("asignado a"), ordering="asignado_a__username")
    def asignado(self, obj: Caso) -> str:
        if obj.asignado_a is None:
            return gettext("Sin asignar")
        return obj.asignado_a.get_full_name() or obj.asignado_a.username

    @admin.display(description=_("página del caso"))
    def pagina(self, obj: Caso) -> str:
        return format_html('<a href="/casos/{}/">{}</a>', obj.uuid, gettext("Abrir el caso"))


class PlazoRespuestaForm(forms.ModelForm[PlazoRespuesta]):
    # Zero hours would make every new case overdue at once; 90 days is far beyond any SLA.
    horas = forms.IntegerField(
        label=_("horas para responder"),
        min_value=1,
        max_value=24 * 90,
        help_text=_("Se aplica a los casos que se deriven o reabran desde ahora; los plazos ya fijados no cambian."),
    )

    class Meta:
        model = PlazoRespuesta
        fields = ["horas"]


@admin.register(PlazoRespuesta)
class PlazoRespuestaAdmin(HistorialSoloLecturaMixin, SimpleHistoryAdmin):
    """One row per case type and priority (all created by a migration): national staff edit the
    hours, regional staff read them."""

    form = PlazoRespuestaForm
    list_display = ["tipo", "prioridad", "horas"]
    list_filter = ["tipo", "prioridad"]
    ordering = ["tipo", "prioridad"]
    fields = ["tipo", "prioridad", "horas"]
    readonly_fields = ["tipo", "prioridad"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return es_sermig(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_sermig(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_nacional(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccesoSensible)
class AccesoSensibleAdmin(SoloLecturaNacionalMixin, admin.ModelAdmin[AccesoSensible]):
    """The access log of sensitive cases: national staff, read-only."""

    list_display = ["fecha", "usuario", "folio", "via"]
    list_select_related = ["caso", "usuario"]
    list_filter = ["via", "fecha"]
    search_fields = ["caso__folio", "usuario__username", "usuario__first_name", "usuario__last_name"]
    fields = readonly_fields = ("fecha", "usuario", "folio", "via")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccesoSensible]:
        return super().get_queryset(request).select_related("caso", "usuario")

    @admin.display(description=_("folio"), ordering="caso__folio")
    def folio(self, obj: AccesoSensible) -> str:
        return obj.caso.folio
