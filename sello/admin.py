from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from municipios.models import Rol

from .models import LatidoWorker


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
