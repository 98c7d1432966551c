"""The catalogue of actions and the scoring rule: national configuration, readable by SERMIG
staff, edited by national staff only while a version is unpublished; "clone" and "publish"
are services (``sello.services.catalogo``)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import AccionCatalogo, CatalogoVersion, Linea, ReglaPuntaje
from ..services import catalogo as catalogo_services
from .comun import aplicar, es_nacional, es_sermig


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
