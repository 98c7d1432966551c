"""Admin screens of account security, for national staff: login lockouts (reset = delete), API
tokens (revoke = delete) and 2FA devices (reset = delete, which also ends the user's sessions).

Nobody adds or edits here, and no secret is shown: not the token key, not the TOTP key, not the
backup codes (the libraries' own screens, replaced below, show them to superusers).
"""

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from sello.admin.comun import es_nacional

from .dosfactores import dispositivos_borrar


class NacionalVerYBorrarMixin(admin.ModelAdmin[Any]):
    """National staff see and delete; nobody adds or changes."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return es_nacional(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_nacional(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return es_nacional(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BloqueoAdmin(NacionalVerYBorrarMixin):
    """Failed-login counters per username and address; deleting one lifts its lockout."""

    list_display = ("username", "ip_address", "failures_since_start", "attempt_time", "bloqueado")
    list_filter = ("attempt_time",)
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)
    fields = ("username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time")
    readonly_fields = fields

    @admin.display(description=_("bloqueado"), boolean=True)
    def bloqueado(self, obj: AccessAttempt) -> bool:
        vigente = obj.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME
        return bool(vigente and obj.failures_since_start >= settings.AXES_FAILURE_LIMIT)


class TokenNacionalAdmin(NacionalVerYBorrarMixin, TokenAdmin):
    """API tokens by user (URLs carry the user id, never the key); deleting one revokes it."""

    list_display = ("user", "created", "expira")
    fields = ("user", "created", "expira")
    readonly_fields = fields

    @admin.display(description=_("expira"))
    def expira(self, obj: TokenProxy) -> Any:
        return obj.created + timedelta(days=settings.SELLO_API_TOKEN_DIAS)


class DispositivoAdmin(NacionalVerYBorrarMixin):
    """A user's second factor; deleting it resets their 2FA (the app and the backup codes) and
    ends their sessions: they enrol again at the next login."""

    list_display = ("user", "name", "confirmed")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("user")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        dispositivos_borrar(usuario=obj.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for usuario in {d.user for d in queryset}:
            dispositivos_borrar(usuario=usuario)


def _token_como_texto(token: TokenProxy) -> str:
    return gettext("Token de %(usuario)s") % {"usuario": token.user}


def registrar() -> None:
    """Replace the libraries' registrations on the project's admin site (called once, from
    ``CuentaConfig.ready``, after the admin's autodiscovery)."""
    # The admin writes str(obj) in titles, breadcrumbs, confirmations and its own log; DRF's is
    # the key itself. The proxy exists only for the admin: the Token model keeps its own.
    TokenProxy.__str__ = _token_como_texto  # type: ignore[assignment,method-assign]
    for modelo in (TokenProxy, TOTPDevice, StaticDevice):
        if admin.site.is_registered(modelo):
            admin.site.unregister(modelo)
    admin.site.register(AccessAttempt, BloqueoAdmin)
    admin.site.register(TokenProxy, TokenNacionalAdmin)
    admin.site.register(TOTPDevice, DispositivoAdmin)
    admin.site.register(StaticDevice, DispositivoAdmin)
