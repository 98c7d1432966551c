"""Admin of the seal for SERMIG staff.

Territorial records (adhesions, evidence, certificates) are region-scoped and read-only:
their state changes only through the services, from the seal pages (linked from each record)
or from an admin action that calls the service. The catalogue and the scoring rule are
national configuration: readable by SERMIG staff, edited by national staff only while a
version is unpublished; "clone" and "publish" are services.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from municipios.models import Rol
from municipios.scoping import ScopedAdminMixin

from .errores import ErrorDeNegocio
from .models import (
    AccionCatalogo,
    Adhesion,
    CatalogoVersion,
    Certificado,
    Evidencia,
    LatidoWorker,
    Linea,
    Notificacion,
    ReglaPuntaje,
    TransicionSello,
)
from .services import catalogo as catalogo_services
from .services import evaluacion as evaluacion_services


def es_sermig(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_staff and user.rol in (Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR))


def es_nacional(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_staff and user.rol == Rol.NACIONAL)


def aplicar(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, objetos: QuerySet[Any], servicio: Callable[[Any], Any]
) -> int:
    """Call ``servicio`` on each object (one transaction each); report refusals. Returns the successes."""
    hechos = 0
    for obj in objetos:
        try:
            servicio(obj)
        except ErrorDeNegocio as exc:
            modeladmin.message_user(request, f"{obj}: {exc.mensaje}", messages.ERROR)
        else:
            hechos += 1
    return hechos


class SoloLecturaMixin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def enlace_expediente(adhesion: Adhesion) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("sello:detalle", kwargs={"uuid": adhesion.uuid}), gettext("Abrir expediente")
    )


# --- Adhesions and their transition log ----------------------------------------------------


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


# --- Catalogue of actions and scoring rule (national configuration) -------------------------


class ConfiguracionNacionalMixin(admin.ModelAdmin[Any]):
    """Readable by SERMIG staff; editable by national staff while the version is unpublished."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return es_sermig(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_sermig(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_nacional(request) and (obj is None or obj.publicada_en is None)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new versions are clones of an existing one (action)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_nacional_permission(self, request: HttpRequest) -> bool:
        return es_nacional(request)


def exigir_borrador(instance: Any) -> None:
    """Refuse saving a version published meanwhile (the row lock serialises with publishing)."""
    if (
        instance.pk
        and type(instance).objects.select_for_update().filter(pk=instance.pk, publicada_en__isnull=False).exists()
    ):
        raise forms.ValidationError(gettext("Esta versión ya fue publicada: no se puede modificar. Clónela."))


class CatalogoVersionForm(forms.ModelForm[CatalogoVersion]):
    class Meta:
        model = CatalogoVersion
        fields = ["codigo", "nombre", "descripcion"]

    def clean(self) -> dict[str, Any]:
        exigir_borrador(self.instance)
        return super().clean() or {}


class AccionCatalogoInline(admin.TabularInline[AccionCatalogo, CatalogoVersion]):
    model = AccionCatalogo
    extra = 0
    fields = ["linea", "codigo", "nombre", "medios_verificacion", "obligatoria", "orden"]

    def _editable(self, request: HttpRequest, obj: Any) -> bool:
        return es_nacional(request) and obj is not None and obj.publicada_en is None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_sermig(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)


@admin.register(CatalogoVersion)
class CatalogoVersionAdmin(ConfiguracionNacionalMixin):
    form = CatalogoVersionForm
    list_display = ["codigo", "nombre", "publicada_en", "basada_en", "acciones_total"]
    list_select_related = ["basada_en"]
    fields = ["codigo", "nombre", "descripcion", "basada_en", "publicada_en", "creada_en"]
    readonly_fields = ["basada_en", "publicada_en", "creada_en"]
    inlines = [AccionCatalogoInline]
    actions = ["clonar", "publicar"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CatalogoVersion]:
        return super().get_queryset(request).annotate(acciones_total=Count("acciones"))

    @admin.display(description=_("Acciones"), ordering="acciones_total")
    def acciones_total(self, obj: Any) -> int:
        return int(obj.acciones_total)

    @admin.action(description=_("Clonar como nueva versión (borrador)"), permissions=["nacional"])
    def clonar(self, request: HttpRequest, queryset: QuerySet[CatalogoVersion]) -> None:
        hechos = aplicar(
            self, request, queryset, lambda c: catalogo_services.catalogo_clonar(catalogo=c, usuario=request.user)
        )
        if hechos:
            self.message_user(request, gettext("Borradores creados: %(n)d.") % {"n": hechos}, messages.SUCCESS)

    @admin.action(description=_("Publicar"), permissions=["nacional"])
    def publicar(self, request: HttpRequest, queryset: QuerySet[CatalogoVersion]) -> None:
        hechos = aplicar(
            self, request, queryset, lambda c: catalogo_services.catalogo_publicar(catalogo=c, usuario=request.user)
        )
        if hechos:
            self.message_user(request, gettext("Versiones publicadas: %(n)d.") % {"n": hechos}, messages.SUCCESS)


def _porcentaje(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100)


class ReglaPuntajeForm(forms.ModelForm[ReglaPuntaje]):
    """The rule's JSON weights and minimums as one number field per line."""

    peso_1 = _porcentaje(format_lazy("1. {}", Linea.INSTITUCIONALIDAD.label))
    peso_2 = _porcentaje(format_lazy("2. {}", Linea.CAPACITACIONES.label))
    peso_3 = _porcentaje(format_lazy("3. {}", Linea.POLITICAS_LOCALES.label))
    peso_4 = _porcentaje(format_lazy("4. {}", Linea.REGULARIDAD.label))
    peso_5 = _porcentaje(format_lazy("5. {}", Linea.ASOCIATIVIDAD.label))
    minimo_1 = _porcentaje(format_lazy("1. {}", Linea.INSTITUCIONALIDAD.label))
    minimo_2 = _porcentaje(format_lazy("2. {}", Linea.CAPACITACIONES.label))
    minimo_3 = _porcentaje(format_lazy("3. {}", Linea.POLITICAS_LOCALES.label))
    minimo_4 = _porcentaje(format_lazy("4. {}", Linea.REGULARIDAD.label))
    minimo_5 = _porcentaje(format_lazy("5. {}", Linea.ASOCIATIVIDAD.label))

    class Meta:
        model = ReglaPuntaje
        fields = ["nombre", "umbral", "no_aplica_excluye"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for linea in Linea:
                self.initial[f"peso_{linea.value}"] = self.instance.pesos.get(str(linea.value))
                self.initial[f"minimo_{linea.value}"] = self.instance.minimos.get(str(linea.value))

    def _por_linea(self, prefijo: str) -> dict[str, Any]:
        return {str(linea.value): self.cleaned_data.get(f"{prefijo}_{linea.value}") for linea in Linea}

    def clean(self) -> dict[str, Any]:
        datos = super().clean() or {}
        exigir_borrador(self.instance)
        if not self.errors:
            errores = catalogo_services.regla_errores(
                pesos=self._por_linea("peso"), minimos=self._por_linea("minimo"), umbral=datos.get("umbral")
            )
            if errores:
                raise forms.ValidationError(errores)
        return datos

    def save(self, commit: bool = True) -> ReglaPuntaje:
        self.instance.pesos = self._por_linea("peso")
        self.instance.minimos = self._por_linea("minimo")
        return super().save(commit)


@admin.register(ReglaPuntaje)
class ReglaPuntajeAdmin(ConfiguracionNacionalMixin):
    form = ReglaPuntajeForm
    list_display = ["version", "nombre", "umbral", "publicada_en"]
    actions = ["clonar", "publicar"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.has_change_permission(request, obj):
            return [
                (None, {"fields": ["version", "nombre", "umbral", "no_aplica_excluye", "publicada_en"]}),
                (_("Peso de cada línea (suman 100)"), {"fields": [f"peso_{li.value}" for li in Linea]}),
                (
                    _("Mínimo de cada línea (% de acciones cumplidas)"),
                    {"fields": [f"minimo_{li.value}" for li in Linea]},
                ),
            ]
        return [(None, {"fields": ["version", "nombre", "umbral", "no_aplica_excluye", "lineas", "publicada_en"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["version", "publicada_en", "lineas"]

    @admin.display(description=_("Peso y mínimo por línea"))
    def lineas(self, obj: ReglaPuntaje) -> str:
        filas = [
            (f"{li.value}. {li.label}", obj.pesos.get(str(li.value), "—"), obj.minimos.get(str(li.value), "—"))
            for li in Linea
        ]
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}: " + gettext("peso {}, mínimo {}%") + "</li>", filas)
        )

    @admin.action(description=_("Clonar como nueva versión (borrador)"), permissions=["nacional"])
    def clonar(self, request: HttpRequest, queryset: QuerySet[ReglaPuntaje]) -> None:
        hechos = aplicar(
            self, request, queryset, lambda r: catalogo_services.regla_clonar(regla=r, usuario=request.user)
        )
        if hechos:
            self.message_user(request, gettext("Borradores creados: %(n)d.") % {"n": hechos}, messages.SUCCESS)

    @admin.action(description=_("Publicar"), permissions=["nacional"])
    def publicar(self, request: HttpRequest, queryset: QuerySet[ReglaPuntaje]) -> None:
        hechos = aplicar(
            self, request, queryset, lambda r: catalogo_services.regla_publicar(regla=r, usuario=request.user)
        )
        if hechos:
            self.message_user(request, gettext("Reglas publicadas: %(n)d.") % {"n": hechos}, messages.SUCCESS)


# --- National only --------------------------------------------------------------------------


@admin.register(Notificacion)
class NotificacionAdmin(SoloLecturaMixin):
    list_display = ["titulo", "usuario", "creada_en", "leida_en"]
    list_select_related = ["usuario"]
    list_filter = ["creada_en", "leida_en"]
    search_fields = ["titulo", "usuario__username", "usuario__email"]
    fields = readonly_fields = ("usuario", "titulo", "cuerpo", "url", "creada_en", "leida_en")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return es_nacional(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_nacional(request)


@admin.register(LatidoWorker)
class LatidoWorkerAdmin(admin.ModelAdmin[LatidoWorker]):
    list_display = ["worker", "ultimo", "tareas"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_staff and user.rol == Rol.NACIONAL)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
