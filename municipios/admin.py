"""Admin for SERMIG staff: territory (read-only reference data), municipalities (scoped), users."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Comuna, Municipalidad, PoblacionComuna, Provincia, Region, Rol, Usuario
from .scoping import HistorialSoloLecturaMixin, ScopedAdminMixin


class ReferenciaAdmin(admin.ModelAdmin[Any]):
    """Reference data loaded by migrations: readable by SERMIG staff, never edited by hand."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_staff and user.rol in (Rol.REGIONAL, Rol.NACIONAL))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReferenciaAdmin):
    list_display = ["cut", "nombre", "numero_romano", "orden_norte_sur"]
    search_fields = ["nombre", "cut"]


@admin.register(Provincia)
class ProvinciaAdmin(ReferenciaAdmin):
    list_display = ["cut", "nombre", "region"]
    list_select_related = ["region"]
    list_filter = ["region"]
    search_fields = ["nombre", "cut"]


class PoblacionInline(admin.TabularInline[PoblacionComuna, Comuna]):
    model = PoblacionComuna
    extra = 0
    can_delete = False
    fields = ["fuente", "anio", "total", "hombres", "mujeres"]
    readonly_fields = ["fuente", "anio", "total", "hombres", "mujeres"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Comuna)
class ComunaAdmin(ReferenciaAdmin):
    list_display = ["cut", "nombre", "provincia", "region"]
    list_select_related = ["provincia", "region"]
    list_filter = ["region"]
    search_fields = ["nombre", "cut"]
    inlines = [PoblacionInline]


@admin.register(Municipalidad)
class MunicipalidadAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "nombre",
        "comuna_cut",
        "region",
        "oficina_nombre",
        "encargado_nombre",
        "contacto_regional",
    ]
    list_select_related = ["comuna__region", "contacto_regional"]
    list_filter = ["comuna__region"]
    search_fields = ["nombre", "comuna__nombre", "comuna__cut", "encargado_nombre"]
    readonly_fields = ["uuid", "comuna", "nombre", "version", "actualizado"]
    fieldsets = [
        (None, {"fields": ["uuid", "nombre", "comuna", "contacto_regional", "version", "actualizado"]}),
        (_("Alcaldía"), {"fields": ["alcalde_tratamiento", "alcalde_nombre"]}),
        (
            _("Oficina de Migrantes"),
            {
                "fields": [
                    "oficina_nombre",
                    "oficina_dependencia",
                    "oficina_direccion",
                    "oficina_telefono",
                    "oficina_email",
                    "encargado_nombre",
                    "encargado_email",
                    "encargado_telefono",
                ]
            },
        ),
    ]

    @admin.display(description=_("CUT"), ordering="comuna__cut")
    def comuna_cut(self, obj: Municipalidad) -> str:
        return obj.comuna_id

    @admin.display(description=_("Región"), ordering="comuna__region")
    def region(self, obj: Municipalidad) -> str:
        return str(obj.comuna.region)

    def save_model(self, request: HttpRequest, obj: Municipalidad, form: Any, change: bool) -> None:
        # The admin edits the same fields as the office page; bump the optimistic-lock version
        # so that a concurrent edit on the page is refused rather than silently overwritten.
        obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Usuario)
class UsuarioAdmin(HistorialSoloLecturaMixin, UserAdmin[Usuario], SimpleHistoryAdmin):
    """Accounts are managed by national staff only."""

    list_display = ["username", "get_full_name", "email", "rol", "region", "municipalidad", "is_active"]
    list_select_related = ["region", "municipalidad"]
    list_filter = ["rol", "region", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["municipalidad"]
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (_("Rol y territorio"), {"fields": ["rol", "region", "municipalidad"]}),
    )

    def _es_nacional(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_staff and (user.rol == Rol.NACIONAL or user.is_superuser))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._es_nacional(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._es_nacional(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._es_nacional(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._es_nacional(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
