"""Screens for national staff only: notifications and the workers' heartbeat."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ..models import LatidoWorker, Notificacion
from .comun import SoloLecturaMixin, es_nacional


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
        return es_nacional(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_nacional(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
