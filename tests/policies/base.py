"""Access policy of the foundation's URLs (territory, accounts, API, admin).

Every module of ``tests.policies`` exports ``POLICY``: URL pattern (as Django prints it) ->
(a function building a concrete URL, the expected status per persona). A module may also
export ``preparar()``, run before each cell to create the objects its URLs point at.
"""

from collections.abc import Callable
from typing import Any

from municipios.models import Municipalidad, Usuario
from sello.models import LatidoWorker

from ..conftest import PERSONAS

STAFF = ("regional", "regional_otra", "nacional", "evaluador")
NO_STAFF = ("anonimo", "municipal", "municipal_otra")


def expect(default: int, **by_persona: int) -> dict[str, int]:
    return {p: by_persona.get(p, default) for p in PERSONAS}


# --- Policies -----------------------------------------------------------------------------
PUBLIC = expect(200)
LOGIN_HTML = expect(200, anonimo=302)
HOME = expect(302, anonimo=200)
OBJ_READ_HTML = expect(200, anonimo=302, municipal_otra=404, regional_otra=404)
OBJ_WRITE_HTML = expect(200, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=403)
POST_ONLY = expect(405)
API_READ = expect(200, anonimo=401)
API_OBJ_READ = expect(200, anonimo=401, municipal_otra=404, regional_otra=404)

# Admin: people who are not SERMIG staff are sent to the admin login; staff get what their role
# allows. 403 = seen as staff but not allowed; 302 for staff on an object = outside its
# territory ("does not exist" redirect, no content).
ADMIN_NO_STAFF = dict.fromkeys(NO_STAFF, 302)
ADMIN_STAFF_PAGE = {**ADMIN_NO_STAFF, **dict.fromkeys(STAFF, 200)}
ADMIN_FORBIDDEN = {**ADMIN_NO_STAFF, **dict.fromkeys(STAFF, 403)}
ADMIN_NACIONAL_ONLY = {**ADMIN_FORBIDDEN, "nacional": 200}
ADMIN_SERMIG_SEES = {
    **ADMIN_NO_STAFF,
    "regional": 200,
    "regional_otra": 200,
    "nacional": 200,
    "evaluador": 403,
}
ADMIN_SCOPED_OBJ = {
    **ADMIN_NO_STAFF,
    "regional": 200,
    "regional_otra": 302,
    "nacional": 200,
    "evaluador": 200,
}


def independencia() -> Municipalidad:
    return Municipalidad.objects.get(comuna_id="13108")


def admin_model(
    app_model: str,
    obj: Callable[[], Any],
    *,
    changelist: dict[str, int],
    change: dict[str, int],
    add: dict[str, int] = ADMIN_FORBIDDEN,
    delete: dict[str, int] = ADMIN_FORBIDDEN,
    history: dict[str, int] | None = None,
) -> dict[str, tuple[Callable[[], str], dict[str, int]]]:
    base = f"/admin/{app_model}/"

    def obj_url(suffix: str) -> Callable[[], str]:
        return lambda: f"{base}{obj()}/{suffix}"

    return {
        f"admin/{app_model}/": (lambda: base, changelist),
        f"admin/{app_model}/add/": (lambda: f"{base}add/", add),
        f"admin/{app_model}/<path:object_id>/change/": (obj_url("change/"), change),
        f"admin/{app_model}/<path:object_id>/delete/": (obj_url("delete/"), delete),
        f"admin/{app_model}/<path:object_id>/history/": (obj_url("history/"), history or change),
        # The bare object URL redirects to its change page, for everybody who reaches the admin.
        f"admin/{app_model}/<path:object_id>/": (obj_url(""), dict.fromkeys(PERSONAS, 302)),
    }


def superuser_only(app_model: str, obj: Callable[[], Any]) -> dict[str, tuple[Callable[[], str], dict[str, int]]]:
    """Third-party admin screens (Celery beat schedules, groups, tokens): superusers only.

    No object exists there, so the history view answers the admin's "does not exist" redirect.
    """
    return admin_model(
        app_model,
        obj,
        changelist=ADMIN_FORBIDDEN,
        change=ADMIN_FORBIDDEN,
        delete=ADMIN_FORBIDDEN,
        history=dict.fromkeys(PERSONAS, 302),
    )


def admin_app_index_route() -> str:
    """The admin's app index pattern lists every app with a registered model, in registry order
    (it changes whenever an app registers its first admin model)."""
    from django.contrib import admin

    etiquetas = dict.fromkeys(model._meta.app_label for model in admin.site._registry)
    return "admin/^(?P<app_label>" + "|".join(etiquetas) + ")/$"


def usuario_pk() -> int:
    return Usuario.objects.get(username="p.municipal").pk


def usuario_history_pk() -> int:
    return Usuario.history.filter(id=usuario_pk()).latest().pk


def latido_pk() -> int:
    return LatidoWorker.objects.get(worker="w@host").pk


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "": (lambda: "/", HOME),
    "healthz": (lambda: "/healthz", PUBLIC),
    "accounts/login/": (lambda: "/accounts/login/", PUBLIC),
    "accounts/logout/": (lambda: "/accounts/logout/", POST_ONLY),
    "accounts/password_change/": (lambda: "/accounts/password_change/", LOGIN_HTML),
    "accounts/password_change/done/": (lambda: "/accounts/password_change/done/", LOGIN_HTML),
    "municipios/": (lambda: "/municipios/", LOGIN_HTML),
    "municipios/<uuid:uuid>/": (lambda: f"/municipios/{independencia().uuid}/", OBJ_READ_HTML),
    "municipios/<uuid:uuid>/editar/": (lambda: f"/municipios/{independencia().uuid}/editar/", OBJ_WRITE_HTML),
    # API
    "api/v1/auth/token/": (lambda: "/api/v1/auth/token/", POST_ONLY),
    "api/v1/^regiones/$": (lambda: "/api/v1/regiones/", API_READ),
    "api/v1/^regiones/(?P<cut>[^/.]+)/$": (lambda: "/api/v1/regiones/13/", API_READ),
    "api/v1/^comunas/$": (lambda: "/api/v1/comunas/", API_READ),
    "api/v1/^comunas/(?P<cut>[^/.]+)/$": (lambda: "/api/v1/comunas/13108/", API_READ),
    "api/v1/^municipios/$": (lambda: "/api/v1/municipios/", API_READ),
    "api/v1/^municipios/(?P<uuid>[^/.]+)/$": (
        lambda: f"/api/v1/municipios/{independencia().uuid}/",
        API_OBJ_READ,
    ),
    "api/schema/": (lambda: "/api/schema/", PUBLIC),
    "api/docs/": (lambda: "/api/docs/", PUBLIC),
    # Admin site
    "admin/": (lambda: "/admin/", ADMIN_STAFF_PAGE),
    "admin/login/": (lambda: "/admin/login/", {**dict.fromkeys(NO_STAFF, 200), **dict.fromkeys(STAFF, 302)}),
    "admin/logout/": (
        lambda: "/admin/logout/",
        {**dict.fromkeys(NO_STAFF, 302), **dict.fromkeys(STAFF, 405)},
    ),
    "admin/password_change/": (lambda: "/admin/password_change/", ADMIN_STAFF_PAGE),
    "admin/password_change/done/": (lambda: "/admin/password_change/done/", ADMIN_STAFF_PAGE),
    # Staff may search municipalities to fill a field; results come from the scoped queryset
    # (tested in test_admin.py).
    "admin/autocomplete/": (
        lambda: "/admin/autocomplete/?app_label=municipios&model_name=usuario&field_name=municipalidad",
        ADMIN_STAFF_PAGE,
    ),
    "admin/jsi18n/": (lambda: "/admin/jsi18n/", ADMIN_STAFF_PAGE),
    "admin/r/<path:content_type_id>/<path:object_id>/": (
        lambda: "/admin/r/999/1/",
        {**ADMIN_NO_STAFF, **dict.fromkeys(STAFF, 404)},
    ),
    admin_app_index_route(): (
        lambda: "/admin/municipios/",
        ADMIN_STAFF_PAGE,
    ),
    "admin/(?P<url>.*)$": (lambda: "/admin/no-existe/", {**ADMIN_NO_STAFF, **dict.fromkeys(STAFF, 404)}),
    "admin/municipios/municipalidad/^([^/]+)/history/([^/]+)/$": (
        lambda: f"/admin/municipios/municipalidad/{independencia().pk}/history/{independencia().history.latest().pk}/",
        {**ADMIN_SCOPED_OBJ, "regional_otra": 403},
    ),
    "admin/municipios/usuario/<id>/password/": (
        lambda: f"/admin/municipios/usuario/{usuario_pk()}/password/",
        ADMIN_NACIONAL_ONLY,
    ),
    "admin/municipios/usuario/^([^/]+)/history/([^/]+)/$": (
        lambda: f"/admin/municipios/usuario/{usuario_pk()}/history/{usuario_history_pk()}/",
        ADMIN_NACIONAL_ONLY,
    ),
    **admin_model(
        "municipios/municipalidad",
        lambda: independencia().pk,
        changelist=ADMIN_STAFF_PAGE,
        change=ADMIN_SCOPED_OBJ,
        history={**ADMIN_SCOPED_OBJ, "regional_otra": 403},
    ),
    **admin_model("municipios/region", lambda: "13", changelist=ADMIN_SERMIG_SEES, change=ADMIN_SERMIG_SEES),
    **admin_model("municipios/provincia", lambda: "131", changelist=ADMIN_SERMIG_SEES, change=ADMIN_SERMIG_SEES),
    **admin_model("municipios/comuna", lambda: "13108", changelist=ADMIN_SERMIG_SEES, change=ADMIN_SERMIG_SEES),
    **admin_model(
        "municipios/usuario",
        usuario_pk,
        changelist=ADMIN_NACIONAL_ONLY,
        change=ADMIN_NACIONAL_ONLY,
        add=ADMIN_NACIONAL_ONLY,
    ),
    **admin_model("sello/latidoworker", latido_pk, changelist=ADMIN_NACIONAL_ONLY, change=ADMIN_NACIONAL_ONLY),
    **superuser_only("auth/group", lambda: 1),
    **superuser_only("django_celery_beat/periodictask", lambda: 1),
    **superuser_only("django_celery_beat/clockedschedule", lambda: 1),
    **superuser_only("django_celery_beat/crontabschedule", lambda: 1),
    **superuser_only("django_celery_beat/solarschedule", lambda: 1),
    **superuser_only("django_celery_beat/intervalschedule", lambda: 1),
}


def preparar() -> None:
    """Objects every policy module may point at (the persona users already exist):

    - Independencia (13108): in implementation, one evidence in each review state;
    - Quilicura (13125): certified, with its certificate;
    - Santiago (13101): in evaluation, assigned to the evaluador persona;
    - Ñuñoa (13120): plan submitted for regional review.

    Cases (``tests/casos_fixtures.py``), looked up by their description:
    - "caso-borrador": Independencia, draft;
    - "caso-sensible": Independencia, gender violence, escalated (sensitive: masked names);
    - "caso-gestion": Independencia, in management, assigned to p.regional, with a message,
      an internal note and a message with a PDF attachment;
    - "caso-quilicura": Quilicura, escalated.

    Trainings (``tests/capacitaciones_fixtures.py``), looked up by title:
    - "Capacitación regional RM": organised by SERMIG RM (p.regional), inviting Independencia,
      two past sessions, two participants of Independencia (one attended both: certificate
      issued), one future session;
    - "Capacitación municipal Independencia": organised by Independencia (p.municipal);
    - an operativo in Independencia (13108); good practices: "Práctica publicada Quilicura"
      (published) and "Práctica enviada Independencia" (submitted).
    """
    from sello.models import EstadoPlan, EstadoSello

    from ..sello_fixtures import construir

    LatidoWorker.objects.create(worker="w@host", ultimo="2026-01-01T00:00:00Z")
    independencia = Municipalidad.objects.get(comuna_id="13108")
    independencia.oficina_nombre = "Oficina de prueba"
    independencia.save()  # a history row for the admin history view
    usuarios = {u.username: u for u in Usuario.objects.all()}
    municipal, regional = usuarios["p.municipal"], usuarios["p.regional"]
    nacional, evaluador = usuarios["p.nacional"], usuarios["p.evaluador"]
    construir(independencia, EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)
    construir(
        Municipalidad.objects.select_related("comuna__region").get(comuna_id="13125"),
        EstadoSello.CERTIFICADA,
        municipal=usuarios["p.municipal.otra"],
        regional=regional,
    )
    construir(
        Municipalidad.objects.get(comuna_id="13101"),
        EstadoSello.EN_EVALUACION,
        municipal=municipal,
        regional=regional,
        nacional=nacional,
        evaluador=evaluador,
    )
    from casos.models import EstadoCaso, Mensaje, TipoCaso

    from ..casos_fixtures import caso, mensaje
    from ..sello_fixtures import archivo_pdf

    caso(municipal, descripcion="caso-borrador")
    caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.VIOLENCIA, descripcion="caso-sensible")
    gestion = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional, descripcion="caso-gestion")
    mensaje(gestion, municipal, "Adjunto antecedentes")
    mensaje(gestion, regional, "Nota interna de prueba", interno=True)
    Mensaje.objects.create(caso=gestion, autor=municipal, texto="Con adjunto", adjunto=archivo_pdf(municipal))
    caso(usuarios["p.municipal.otra"], estado=EstadoCaso.DERIVADO, descripcion="caso-quilicura")
    from ..capacitaciones_fixtures import asistir, capacitacion, dispositivo, inscripcion, practica

    regional_rm = capacitacion(
        regional, invitadas=[independencia], titulo="Capacitación regional RM", sesiones_futuras=1
    )
    asistente = inscripcion(regional_rm, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
    inscripcion(regional_rm, "Luis Soto", "luis@independencia.cl", municipalidad=independencia)
    asistir(regional_rm, asistente, regional)
    from capacitaciones.models import CertificadoCapacitacion

    CertificadoCapacitacion.objects.create(
        inscripcion=asistente,
        nombre="Ana Pérez",
        titulo=regional_rm.titulo,
        organiza="SERMIG",
        fechas="01/11/2026",
        horas=regional_rm.horas,
        emitido_en="2026-11-10",
    )
    capacitacion(municipal, titulo="Capacitación municipal Independencia")
    dispositivo(municipal, "13108")
    practica(usuarios["p.municipal.otra"], "13125", nombre="Práctica publicada Quilicura")
    practica(municipal, "13108", nombre="Práctica enviada Independencia", estado="enviada")
    construir(
        Municipalidad.objects.get(comuna_id="13120"),
        EstadoSello.PLAN_EN_ELABORACION,
        municipal=municipal,
        plan_estado=EstadoPlan.ENVIADO,
    )
