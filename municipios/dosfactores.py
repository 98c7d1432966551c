"""Two-factor authentication (django-otp): who must use it, the gate that holds every other URL
until the session is verified, and the operations on devices (enrol, confirm, verify).

A TOTP app (``TOTPDevice``) is the second factor; ten single-use backup codes (``StaticDevice``)
are issued when it is confirmed. Required for SERMIG staff (regional, nacional, evaluador) and
every admin user when ``SELLO_2FA_OBLIGATORIO`` is on; a municipal officer may enrol, and from
then on is asked for a code too.

The verified state lives in the session (``django_otp.DEVICE_ID_SESSION_KEY``, written by
``django_otp.login`` once a code was accepted). Unlike django-otp's own middleware, the gate
does not load the device on every request (one query per page); the session is server-side, and
removing someone's devices from the admin also ends their sessions.
"""

import base64
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sello.api.errors import error_body

from .cuenta_sesiones import sesiones_cerrar
from .models import Rol

ROLES_OBLIGADOS = (Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR)
# Session flag: the user had a confirmed device when logging in (then a code is always asked).
CON_DISPOSITIVO = "sello_2fa_dispositivo"
NOMBRE_APP = "Aplicación autenticadora"
NOMBRE_RESPALDO = "Códigos de respaldo"


def obligado(usuario: Any) -> bool:
    """Must this user enrol a second factor (whether or not they already did)?"""
    if not settings.SELLO_2FA_OBLIGATORIO or not usuario.is_authenticated:
        return False
    return bool(usuario.rol in ROLES_OBLIGADOS or usuario.is_staff or usuario.is_superuser)


def verificado(request: HttpRequest) -> bool:
    """Did this session pass the second factor?"""
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def pendiente(request: HttpRequest) -> bool:
    """A logged-in session that must still pass the second factor (no query beyond the session
    and the user, which every page loads anyway)."""
    if SESSION_KEY not in request.session or verificado(request) or not request.user.is_authenticated:
        return False
    return obligado(request.user) or bool(request.session.get(CON_DISPOSITIVO))


@receiver(user_logged_in, dispatch_uid="sello_2fa_marcar_dispositivo")
def marcar_dispositivo(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Remember at login whether an optional user (a municipal officer) has enrolled."""
    if request is None or not hasattr(request, "session") or obligado(user):
        return
    request.session[CON_DISPOSITIVO] = user_has_device(user)


def _rutas_libres() -> tuple[str, ...]:
    return (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}",
        reverse("healthz"),
        reverse("login"),
        reverse("logout"),
        reverse("dos_factores"),
        reverse("api-token"),
    )


class DosFactoresMiddleware:
    """Until the session is verified, a user who needs the second factor reaches only the 2FA
    page, the login and logout, ``/healthz`` and static files: pages (admin included) redirect
    to the 2FA page, the API (with this session) answers 403 in the API's error format.

    Also gives ``request.user`` django-otp's ``is_verified()``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        usuario = request.user
        request.user = SimpleLazyObject(functools.partial(self._con_verificacion, request, usuario))  # type: ignore[assignment]
        if not request.path.startswith(_rutas_libres()) and pendiente(request):
            if request.path.startswith("/api/"):
                mensaje = _("Complete la verificación en dos pasos en /cuenta/2fa/ antes de usar esta sesión.")
                return JsonResponse(error_body("otp_required", mensaje), status=403)
            destino = reverse("dos_factores") + "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(destino)
        return self.get_response(request)

    @staticmethod
    def _con_verificacion(request: HttpRequest, usuario: Any) -> Any:
        usuario.is_verified = functools.partial(verificado, request)
        return usuario


# --- Devices ------------------------------------------------------------------------------------


def totp_pendiente(usuario: Any) -> TOTPDevice:
    """The user's unconfirmed TOTP device (created on first use: its secret is shown until a
    code from the app confirms it)."""
    dispositivo = TOTPDevice.objects.devices_for_user(usuario, confirmed=False).order_by("pk").first()
    if dispositivo is None:
        dispositivo = TOTPDevice.objects.create(user=usuario, name=NOMBRE_APP, confirmed=False)
    return dispositivo


def secreto_base32(dispositivo: TOTPDevice) -> str:
    """The secret as an app asks for it when typed by hand, in groups of four."""
    texto = base64.b32encode(dispositivo.bin_key).decode()
    return " ".join(texto[i : i + 4] for i in range(0, len(texto), 4))


def qr_svg(dispositivo: TOTPDevice) -> str:
    """The ``otpauth://`` URI as an inline SVG QR code (no script, no external image)."""
    qr = segno.make(dispositivo.config_url, error="m")
    svg: str = qr.svg_inline(scale=5, border=2, title=_("Código QR para la aplicación autenticadora"))
    return svg


def _sesion_verificada(request: HttpRequest, dispositivo: Device) -> None:
    # A new session key after the privilege change, as after the password.
    request.session.cycle_key()
    otp_login(request, dispositivo)
    request.session[CON_DISPOSITIVO] = True


def totp_confirmar(*, request: HttpRequest, dispositivo: TOTPDevice, codigo: str) -> list[str] | None:
    """Confirm the device with a code from the app, verify the session and issue new backup
    codes (returned once, never shown again). ``None`` if the code is wrong."""
    with transaction.atomic():
        dispositivo = TOTPDevice.objects.select_for_update().get(pk=dispositivo.pk)
        if not dispositivo.verify_token(codigo):
            return None
        dispositivo.confirmed = True
        dispositivo.save(update_fields=["confirmed"])
        # One app per user: an earlier one (a lost phone being replaced) stops working.
        TOTPDevice.objects.filter(user=dispositivo.user).exclude(pk=dispositivo.pk).delete()
        codigos = respaldo_emitir(usuario=dispositivo.user)
    _sesion_verificada(request, dispositivo)
    return codigos


def respaldo_emitir(*, usuario: Any) -> list[str]:
    """Replace the user's backup codes with ``SELLO_2FA_CODIGOS_RESPALDO`` new single-use ones."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=usuario).delete()
        dispositivo = StaticDevice.objects.create(user=usuario, name=NOMBRE_RESPALDO, confirmed=True)
        codigos = [StaticToken.random_token() for _ in range(settings.SELLO_2FA_CODIGOS_RESPALDO)]
        StaticToken.objects.bulk_create([StaticToken(device=dispositivo, token=c) for c in codigos])
    return codigos


def normalizar(codigo: str) -> str:
    """Codes as typed: spaces and dashes dropped, backup codes are lower case."""
    return codigo.replace(" ", "").replace("-", "").strip().lower()


def _dispositivos(usuario: Any, codigo: str, *, for_verify: bool = False) -> list[Device]:
    """The devices a code is meant for: all digits is the app, anything else a backup code.
    (Trying a backup code on the app would throttle the app, and the other way round.)"""
    modelo: type[Device] = TOTPDevice if codigo.isdigit() else StaticDevice
    dispositivos = modelo.objects.devices_for_user(usuario, confirmed=True)
    return list(dispositivos.select_for_update() if for_verify else dispositivos)


def _verificar(usuario: Any, codigo: str) -> Device | None:
    with transaction.atomic():
        for dispositivo in _dispositivos(usuario, codigo, for_verify=True):
            if dispositivo.verify_token(codigo):
                return dispositivo
    return None


def codigo_verificar(*, request: HttpRequest, codigo: str) -> Device | None:
    """Check a code (from the app, or a backup code, which is then used up) against the user's
    confirmed devices; on success the session is verified. Every wrong code throttles the
    device it was meant for (django-otp's exponential back-off)."""
    aceptado = _verificar(request.user, normalizar(codigo))
    if aceptado is not None:
        _sesion_verificada(request, aceptado)
    return aceptado


def codigo_api_valido(*, usuario: Any, codigo: str) -> bool:
    """A code for the token endpoint (no session to verify): app or backup code."""
    return _verificar(usuario, normalizar(codigo)) is not None


def espera_segundos(usuario: Any, codigo: str) -> int:
    """Seconds before the devices this code is meant for accept another one (0: now)."""
    espera = 0
    for dispositivo in _dispositivos(usuario, normalizar(codigo)):
        permitido, datos = dispositivo.verify_is_allowed()
        if not permitido and datos and datos.get("locked_until"):
            espera = max(espera, int((datos["locked_until"] - timezone.now()).total_seconds()) + 1)
    return espera


def dispositivos_borrar(*, usuario: Any) -> None:
    """Remove the user's 2FA devices (a lost phone) and end their sessions: at the next login
    they enrol again (when 2FA is required)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=usuario).delete()
        StaticDevice.objects.filter(user=usuario).delete()
    sesiones_cerrar(usuario=usuario)
