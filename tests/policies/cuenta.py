"""Access policy of account security: the second-factor page and the national admin of login
lockouts, API tokens and 2FA devices (municipios/cuenta_admin.py).

The staff personas' clients are already verified (``client_for``): the 2FA page sends them on.
Nobody adds or edits in these admin screens; national staff see and delete (delete = lift a
lockout, revoke a token, reset someone's 2FA).
"""

from collections.abc import Callable

from axes.models import AccessAttempt
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from municipios.models import Usuario

from .base import ADMIN_FORBIDDEN, ADMIN_NACIONAL_ONLY, admin_model, expect

# Verified staff are sent on (302); municipal officers may enrol (200); anonymous to the login.
DOS_FACTORES = expect(302, municipal=200, municipal_otra=200)


def titular() -> Usuario:
    return Usuario.objects.get(username="p.cuenta")


def intento_pk() -> int:
    return AccessAttempt.objects.get(username="p.cuenta").pk


def totp_pk() -> int:
    return TOTPDevice.objects.get(user=titular()).pk


def respaldo_pk() -> int:
    return StaticDevice.objects.get(user=titular()).pk


def nacional_ve_y_borra(
    app_model: str, obj: Callable[[], object]
) -> dict[str, tuple[Callable[[], str], dict[str, int]]]:
    return admin_model(
        app_model,
        obj,
        changelist=ADMIN_NACIONAL_ONLY,
        change=ADMIN_NACIONAL_ONLY,
        add=ADMIN_FORBIDDEN,
        delete=ADMIN_NACIONAL_ONLY,
        history=ADMIN_NACIONAL_ONLY,
    )


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "cuenta/2fa/": (lambda: "/cuenta/2fa/", DOS_FACTORES),
    **nacional_ve_y_borra("axes/accessattempt", intento_pk),
    # Tokens are addressed by their user's id, never by the key (DRF's TokenAdmin).
    **nacional_ve_y_borra("authtoken/tokenproxy", lambda: titular().pk),
    **nacional_ve_y_borra("otp_totp/totpdevice", totp_pk),
    **nacional_ve_y_borra("otp_static/staticdevice", respaldo_pk),
}


def preparar() -> None:
    """A user of their own (not a persona: a device would make the persona's clients ask for a
    code) with a lockout counter, an API token and both 2FA devices."""
    usuario = Usuario.objects.create_user(username="p.cuenta")
    AccessAttempt.objects.create(
        username="p.cuenta",
        ip_address="203.0.113.7",
        user_agent="prueba",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=5,
    )
    Token.objects.get_or_create(user=usuario)
    TOTPDevice.objects.create(user=usuario, name="Teléfono", confirmed=True)
    StaticDevice.objects.create(user=usuario, name="Códigos de respaldo", confirmed=True)
