"""Access policy of the public seal pages (verification, registry), the certificate PDF
download and the user's notifications."""

from collections.abc import Callable

from municipios.models import Usuario
from sello.models import Certificado, Notificacion

from .base import expect

PUBLICO = expect(200)
# Quilicura's certificate: its officer, the RM team, national staff and the committee
# (read-only everywhere) download it; Independencia's officer and the Valparaíso team get 404.
CERTIFICADO_QUILICURA = expect(200, anonimo=302, municipal=404, regional_otra=404)
LOGIN = expect(200, anonimo=302)
SOLO_POST = expect(405, anonimo=302)


def codigo_quilicura() -> str:
    return Certificado.objects.get(adhesion__municipalidad__comuna_id="13125").codigo


def notificacion_pk() -> int:
    return Notificacion.objects.get(usuario__username="p.municipal").pk


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "verificar/": (lambda: "/verificar/", PUBLICO),
    # A valid code; an unknown one answers 404 "no válido" to everybody (tests/test_sello_publico.py).
    "verificar/<str:codigo>/": (lambda: f"/verificar/{codigo_quilicura()}/", PUBLICO),
    "registro/": (lambda: "/registro/", PUBLICO),
    "sello/certificados/<str:codigo>/pdf/": (
        lambda: f"/sello/certificados/{codigo_quilicura()}/pdf/",
        CERTIFICADO_QUILICURA,
    ),
    "sello/notificaciones/": (lambda: "/sello/notificaciones/", LOGIN),
    "sello/notificaciones/leidas/": (lambda: "/sello/notificaciones/leidas/", SOLO_POST),
    "sello/notificaciones/<int:pk>/leida/": (lambda: f"/sello/notificaciones/{notificacion_pk()}/leida/", SOLO_POST),
}


def preparar() -> None:
    """One notification of the municipal persona (Quilicura's certificate comes from base)."""
    Notificacion.objects.create(usuario=Usuario.objects.get(username="p.municipal"), titulo="Aviso de prueba")
