"""Helpers shared by the seal's admin modules: who is SERMIG staff, read-only admins, and
admin actions that call a service per object."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from municipios.models import Rol

from ..errores import ErrorDeNegocio
from ..models import Adhesion


def es_sermig(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_staff and user.rol in (Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR))


def es_nacional(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_staff and user.rol == Rol.NACIONAL)


class SoloLecturaNacionalMixin(admin.ModelAdmin[Any]):
    """Logs and records only national staff may read, and nobody edits from the admin."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return es_nacional(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_nacional(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
