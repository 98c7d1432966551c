"""Access policy of the training pages (list, creation, sessions, the training's page,
registration, attendance, CSV template and paper sign-in sheet).

Objects from ``base.preparar()``: "Capacitación regional RM" (organised by SERMIG RM, p.regional;
invites Independencia; two past sessions and one future one). Quilicura (municipal_otra) is not
invited and Valparaíso's staff (regional_otra) are outside the región: 404. The Comité Evaluador
takes no part in trainings: 403 on the list and creation, 404 on a training (it sees none).
Only the organiser (and national staff) manage sessions and attendance: the invited
municipality sees the training but gets 403 there. GET only; the POSTs are tested in
``tests/test_capacitaciones_paginas.py``.
"""

from collections.abc import Callable

from capacitaciones.models import Capacitacion, Sesion

from .base import POST_ONLY, expect

# Every role that takes part in trainings has a list (possibly empty) and may organise one.
LISTA = expect(200, anonimo=302, evaluador=403)
NUEVA = LISTA
# The training of SERMIG RM: its región's staff, the invited Independencia and national staff.
CAPACITACION = expect(200, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=404)
# Sessions and attendance: the organiser (SERMIG RM) and national staff; Independencia sees the
# training but does not manage it.
ORGANIZA = expect(200, anonimo=302, municipal=403, municipal_otra=404, regional_otra=404, evaluador=404)
# The blank CSV template: any signed-in user.
PLANTILLA = expect(200, anonimo=302)


def capacitacion() -> Capacitacion:
    return Capacitacion.objects.get(titulo="Capacitación regional RM")


def url(suffix: str = "") -> Callable[[], str]:
    return lambda: f"/capacitaciones/{capacitacion().uuid}/{suffix}"


def sesion_pasada() -> Sesion:
    return capacitacion().sesiones.order_by("inicio").first()  # type: ignore[return-value]


def inscripcion_pk() -> int:
    return capacitacion().inscripciones.get(email="luis@independencia.cl").pk


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "capacitaciones/": (lambda: "/capacitaciones/", LISTA),
    "capacitaciones/nueva/": (lambda: "/capacitaciones/nueva/", NUEVA),
    "capacitaciones/plantilla-asistencia.csv": (lambda: "/capacitaciones/plantilla-asistencia.csv", PLANTILLA),
    "capacitaciones/<uuid:uuid>/": (url(), CAPACITACION),
    "capacitaciones/<uuid:uuid>/sesiones/nueva/": (url("sesiones/nueva/"), ORGANIZA),
    "capacitaciones/<uuid:uuid>/inscripciones/": (url("inscripciones/"), POST_ONLY),
    "capacitaciones/<uuid:uuid>/inscripciones/<int:pk>/cancelar/": (
        lambda: f"/capacitaciones/{capacitacion().uuid}/inscripciones/{inscripcion_pk()}/cancelar/",
        POST_ONLY,
    ),
    "capacitaciones/sesiones/<int:pk>/asistencia/": (
        lambda: f"/capacitaciones/sesiones/{sesion_pasada().pk}/asistencia/",
        ORGANIZA,
    ),
    "capacitaciones/sesiones/<int:pk>/asistencia/importar/": (
        lambda: f"/capacitaciones/sesiones/{sesion_pasada().pk}/asistencia/importar/",
        POST_ONLY,
    ),
    "capacitaciones/sesiones/<int:pk>/hoja.pdf": (
        lambda: f"/capacitaciones/sesiones/{sesion_pasada().pk}/hoja.pdf",
        ORGANIZA,
    ),
}
