"""Territorial records (adhesions with their transition log, evidence, certificates):
region-scoped and read-only; states change only through the services, from the seal pages
(linked from each record) or from an admin action that calls the service."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from municipios.scoping import ScopedAdminMixin

from ..models import Adhesion, Certificado, Evidencia, TransicionSello
from ..services import evaluacion as evaluacion_services
from .comun import SoloLecturaMixin, aplicar, enlace_expediente, es_nacional, es_sermig


class TransicionInline(admin.TabularInline[TransicionSello, Adhesion]):
    model = TransicionSello
    extra = 0
    can_delete = False
    fields = readonly_fields = ("fecha", "desde", "hasta", "accion", "usuario", "comentario")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TransicionSello]:
        return super().get_queryset(request).select_related("usuario")

    # The parent admin already decided the user may see this adhesion.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_sermig(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Adhesion)
class AdhesionAdmin(SoloLecturaMixin, ScopedAdminMixin):
    """Read-only: states change through the services (seal pages), never by editing a field."""

    list_display = ["municipalidad", "comuna_cut", "region", "ciclo", "estado", "vigente_hasta", "expediente"]
    list_select_related = ["municipalidad__comuna__region"]
    list_filter = ["estado", "municipalidad__comuna__region"]
    search_fields = ["municipalidad__comuna__nombre", "municipalidad__comuna__cut"]
    fields = readonly_fields = (
        "expediente",
        "municipalidad",
        "ciclo",
        "estado",
        "catalogo",
        "regla",
        "fecha_adhesion",
        "acuerdo_concejo_numero",
        "acuerdo_concejo_fecha",
        "encargado_nombre",
        "encargado_cargo",
        "encargado_email",
        "fecha_certificacion",
        "vigente_hasta",
        "observaciones",
        "version",
        "actualizada_en",
    )
    inlines = [TransicionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Adhesion]:
        return super().get_queryset(request).select_related("municipalidad__comuna__region", "catalogo", "regla")

    @admin.display(description=_("CUT"), ordering="municipalidad__comuna__cut")
    def comuna_cut(self, obj: Adhesion) -> str:
        return obj.municipalidad.comuna_id

    @admin.display(description=_("Región"), ordering="municipalidad__comuna__region")
    def region(self, obj: Adhesion) -> str:
        return str(obj.municipalidad.comuna.region)

    @admin.display(description=_("Expediente"))
    def expediente(self, obj: Adhesion) -> str:
        return enlace_expediente(obj)


@admin.register(Evidencia)
class EvidenciaAdmin(SoloLecturaMixin, ScopedAdminMixin):
    """Read-only: evidence is reviewed on the seal page (``evidencia_revisar``)."""

    list_display = ["descripcion", "municipalidad", "linea", "estado", "enviada_en", "revisada_en"]
    list_select_related = ["adhesion__municipalidad__comuna", "accion"]
    list_filter = ["estado", "adhesion__municipalidad__comuna__region"]
    search_fields = ["descripcion", "adhesion__municipalidad__comuna__nombre", "adhesion__municipalidad__comuna__cut"]
    fields = readonly_fields = (
        "expediente",
        "adhesion",
        "accion",
        "descripcion",
        "archivo",
        "enlace",
        "estado",
        "enviada_por",
        "enviada_en",
        "revisada_por",
        "revisada_en",
        "comentario_revision",
        "reemplaza",
        "heredada_de",
        "version",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evidencia]:
        return (
            super()
            .get_queryset(request)
            .select_related("adhesion__municipalidad__comuna", "accion", "archivo", "enviada_por", "revisada_por")
        )

    @admin.display(description=_("Municipalidad"), ordering="adhesion__municipalidad__nombre")
    def municipalidad(self, obj: Evidencia) -> str:
        return str(obj.adhesion.municipalidad)

    @admin.display(description=_("Línea"), ordering="accion__linea")
    def linea(self, obj: Evidencia) -> str:
        return obj.accion.get_linea_display()

    @admin.display(description=_("Expediente"))
    def expediente(self, obj: Evidencia) -> str:
        return enlace_expediente(obj.adhesion)


# --- Certificates ---------------------------------------------------------------------------


class MotivoRevocacionForm(forms.Form):
    motivo = forms.CharField(label=_("Motivo de la revocación"), max_length=4000, widget=forms.Textarea)


@admin.register(Certificado)
class CertificadoAdmin(SoloLecturaMixin, ScopedAdminMixin):
    """Read-only; national staff revoke through the service (action with a reason)."""

    list_display = [
        "municipalidad_nombre",
        "region_nombre",
        "resolucion_numero",
        "emitido_en",
        "vigente_hasta",
        "revocado",
    ]
    list_select_related = ["adhesion__municipalidad__comuna"]
    list_filter = ["vigente_hasta", "revocado_en"]
    search_fields = ["municipalidad_nombre", "codigo", "adhesion__municipalidad__comuna__cut"]
    fields = readonly_fields = (
        "adhesion",
        "codigo",
        "municipalidad_nombre",
        "region_nombre",
        "resolucion_numero",
        "emitido_en",
        "vigente_hasta",
        "revocado_en",
        "motivo_revocacion",
    )
    actions = ["revocar"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Certificado]:
        return super().get_queryset(request).select_related("adhesion__municipalidad__comuna")

    @admin.display(description=_("Revocado"), boolean=True)
    def revocado(self, obj: Certificado) -> bool:
        return obj.revocado_en is not None

    def has_revocar_permission(self, request: HttpRequest) -> bool:
        return es_nacional(request)

    @admin.action(description=_("Revocar los certificados seleccionados…"), permissions=["revocar"])
    def revocar(self, request: HttpRequest, queryset: QuerySet[Certificado]) -> HttpResponse | None:
        form = MotivoRevocacionForm(request.POST if "aplicar" in request.POST else None)
        if form.is_valid():
            motivo = form.cleaned_data["motivo"]
            hechos = aplicar(
                self,
                request,
                queryset,
                lambda c: evaluacion_services.certificado_revocar(certificado=c, usuario=request.user, motivo=motivo),
            )
            if hechos:
                self.message_user(request, gettext("Certificados revocados: %(n)d.") % {"n": hechos}, messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "sello/sermig/admin_revocar.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Revocar certificados"),
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
            status=400 if form.is_bound else 200,
        )
