"""Training pages: the trainings the user sees, creation and sessions, the training's page (data,
sessions, participants, registration and cancellation), attendance per session (marked on a
phone-friendly page or imported from CSV), the CSV template and the paper sign-in sheet.

Every view fetches the training through the scoping helper (outside the user's scope: 404),
checks the role (the Comité Evaluador takes no part in trainings: 403; only the organiser
manages sessions and attendance: 403), validates a form (400), calls one service (its refusal:
403, 409 or 400 with its Spanish message, nothing written) and redirects.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipios.models import Rol
from municipios.scoping import get_scoped_or_404
from sello.errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.pdf import render_pdf

from .. import selectors, services
from ..models import ASISTIO, Audiencia, Capacitacion, EstadoInscripcion, Inscripcion, Organizador, Sesion
from .forms import (
    AsistenciaForm,
    CapacitacionForm,
    Cuando,
    FiltroForm,
    ImportarCsvForm,
    InscripcionForm,
    SesionForm,
)

PAGE_SIZE = 25
CON_CAPACITACIONES = (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL)
PLANTILLA_CSV = "correo;estado\r\nana.perez@municipalidad.cl;presente\r\n"
ORGANIZADOR = ("region", "municipalidad_organizadora__comuna")


# --- Helpers --------------------------------------------------------------------------------
def _capacitaciones_qs() -> QuerySet[Capacitacion]:
    return Capacitacion.objects.select_related(*ORGANIZADOR)


def _exigir_rol(user: Any) -> None:
    # The Comité Evaluador and users without a role take no part in trainings.
    if getattr(user, "rol", None) not in CON_CAPACITACIONES:
        raise PermissionDenied


def _status(exc: ErrorDeNegocio) -> int:
    if isinstance(exc, SinPermiso):
        return 403
    if isinstance(exc, ConflictoDeVersion | TransicionNoPermitida):
        return 409
    return 400


def _rechazo(request: HttpRequest, exc: ErrorDeNegocio, *, capacitacion: Capacitacion) -> HttpResponse:
    return render(
        request,
        "capacitaciones/error.html",
        {"mensaje": exc.mensaje, "capacitacion": capacitacion},
        status=_status(exc),
    )


def _archivo_privado(response: HttpResponseBase) -> HttpResponseBase:
    """Downloads are never rendered by the browser nor kept by shared caches."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def _organiza(capacitacion: Capacitacion) -> str:
    """Who gives the training, in words (no query: organiser relations are preloaded)."""
    if capacitacion.organizador == Organizador.MUNICIPALIDAD and capacitacion.municipalidad_organizadora:
        return capacitacion.municipalidad_organizadora.nombre
    if capacitacion.organizador == Organizador.SERMIG_REGIONAL and capacitacion.region:
        return _("SERMIG · Región %(region)s") % {"region": capacitacion.region}
    return _("SERMIG nacional")


def _participantes_visibles(user: Any, capacitacion: Capacitacion, *, organiza: bool) -> QuerySet[Inscripcion]:
    """The organiser sees every participant; an invited municipality only its own staff; the
    staff of a región (not organising) the participants of its municipalities."""
    participantes = capacitacion.inscripciones.select_related("municipalidad")
    if organiza:
        return participantes
    if user.rol == Rol.MUNICIPAL and user.municipalidad_id:
        return participantes.filter(municipalidad_id=user.municipalidad_id)
    if user.rol == Rol.REGIONAL and user.region_id:
        return participantes.filter(municipalidad__comuna__region_id=user.region_id)
    return participantes.none()


def _sesion_organizada(request: HttpRequest, pk: int) -> Sesion:
    """A session, fetched through its training in the user's scope (404), for its organiser (403)."""
    capacitacion = get_scoped_or_404(request.user, _capacitaciones_qs(), sesiones__pk=pk)
    if not services.puede_organizar(request.user, capacitacion):
        raise PermissionDenied
    sesion = capacitacion.sesiones.get(pk=pk)
    sesion.capacitacion = capacitacion
    return sesion


# --- List -----------------------------------------------------------------------------------
@dataclass
class FilaCapacitacion:
    capacitacion: Any
    organiza: str
    situacion: str


def _fila(capacitacion: Any, ahora: datetime) -> FilaCapacitacion:
    """``capacitacion`` carries its first session's start and last session's end (annotated)."""
    primera, ultima = capacitacion.primera, capacitacion.ultima
    if primera is None or ultima is None:
        situacion = _("Sin sesiones programadas")
    elif ultima < ahora:
        situacion = _("Realizada")
    elif primera > ahora:
        situacion = _("Próxima")
    else:
        situacion = _("En curso")
    return FilaCapacitacion(capacitacion=capacitacion, organiza=_organiza(capacitacion), situacion=situacion)


@login_required
@require_GET
def lista(request: HttpRequest) -> HttpResponse:
    """The trainings the user sees (organised by its institution or open to its municipalities),
    upcoming and past, with their registrations; filtered by topic and dates."""
    user: Any = request.user
    _exigir_rol(user)
    filtro = FiltroForm(request.GET)
    filtro.is_valid()  # an unknown value is shown as an error and not applied
    datos = filtro.cleaned_data
    ahora = timezone.now()
    capacitaciones = selectors.capacitaciones_visibles(usuario=user).annotate(
        primera=Min("sesiones__inicio"), ultima=Max("sesiones__fin")
    )
    if datos.get("tema"):
        capacitaciones = capacitaciones.filter(tema=datos["tema"])
    if datos.get("cuando") == Cuando.PROXIMAS:
        # Not yet ended, or still without sessions (to be scheduled): nearest first.
        capacitaciones = capacitaciones.filter(Q(ultima__gte=ahora) | Q(ultima__isnull=True)).order_by(
            F("primera").asc(nulls_last=True), "-pk"
        )
    elif datos.get("cuando") == Cuando.REALIZADAS:
        capacitaciones = capacitaciones.filter(ultima__lt=ahora).order_by("-ultima", "-pk")
    else:
        capacitaciones = capacitaciones.order_by(F("primera").desc(nulls_first=True), "-pk")
    pagina = Paginator(capacitaciones, PAGE_SIZE).get_page(request.GET.get("page"))
    filas = [_fila(c, ahora) for c in pagina]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "capacitaciones/lista.html",
        {
            "filtro": filtro,
            "page": pagina,
            "filas": filas,
            "query": query.urlencode(),
        },
    )


# --- Creation and sessions ------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def nueva(request: HttpRequest) -> HttpResponse:
    """A training organised by the user's institution; its sessions are added next."""
    user: Any = request.user
    _exigir_rol(user)
    status = 200
    if request.method == "POST":
        form = CapacitacionForm(request.POST, usuario=user)
        status = 400
        if form.is_valid():
            try:
                capacitacion = services.capacitacion_crear(usuario=user, **form.datos())
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(
                    request,
                    _("Capacitación «%(titulo)s» creada. Ahora agregue su primera sesión.")
                    % {"titulo": capacitacion.titulo},
                )
                return redirect("capacitaciones:sesion_nueva", uuid=capacitacion.uuid)
    else:
        form = CapacitacionForm(usuario=user)
    return render(request, "capacitaciones/nueva.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sesion_nueva(request: HttpRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    capacitacion = get_scoped_or_404(user, _capacitaciones_qs(), uuid=uuid)
    if not services.puede_organizar(user, capacitacion):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = SesionForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                sesion = services.sesion_agregar(capacitacion=capacitacion, usuario=user, **form.cleaned_data)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(
                    request,
                    _("Sesión del %(fecha)s agregada.")
                    % {"fecha": timezone.localtime(sesion.inicio).strftime("%d/%m/%Y %H:%M")},
                )
                return redirect("capacitaciones:detalle", uuid=capacitacion.uuid)
    else:
        form = SesionForm()
    return render(
        request, "capacitaciones/sesion_nueva.html", {"capacitacion": capacitacion, "form": form}, status=status
    )


# --- The training's page --------------------------------------------------------------------
def _detalle_qs() -> QuerySet[Capacitacion]:
    """The training with its organiser and its registration totals (what everyone may know,
    even those who only see their own staff's names)."""
    return Capacitacion.objects.select_related(*ORGANIZADOR).annotate(
        n_inscritas=Count("inscripciones", filter=Q(inscripciones__estado=EstadoInscripcion.INSCRITA)),
        n_espera=Count("inscripciones", filter=Q(inscripciones__estado=EstadoInscripcion.LISTA_ESPERA)),
    )


def _audiencias(capacitacion: Capacitacion) -> list[str]:
    return [str(Audiencia(a).label) for a in capacitacion.audiencias if a in Audiencia.values]


def _detalle(
    request: HttpRequest, capacitacion: Capacitacion, *, form: InscripcionForm | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    organiza = services.puede_organizar(user, capacitacion)
    invitadas = [
        i.municipalidad
        for i in capacitacion.invitaciones.select_related("municipalidad__comuna").order_by("municipalidad__nombre")
    ]
    invitada = user.rol == Rol.MUNICIPAL and any(m.pk == user.municipalidad_id for m in invitadas)
    puede_inscribir = organiza or invitada
    if form is None and puede_inscribir:
        initial = {} if organiza else {"institucion": user.municipalidad.nombre}
        form = InscripcionForm(municipalidades=invitadas if organiza else None, initial=initial)
    sesiones = list(
        capacitacion.sesiones.annotate(n_asistentes=Count("asistencias", filter=Q(asistencias__estado__in=ASISTIO)))
    )
    participantes = list(
        _participantes_visibles(user, capacitacion, organiza=organiza)
        .annotate(n_asistidas=Count("asistencias", filter=Q(asistencias__estado__in=ASISTIO)))
        .order_by("creada_en", "pk")
    )
    por_estado = {estado: [p for p in participantes if p.estado == estado] for estado in EstadoInscripcion.values}
    return render(
        request,
        "capacitaciones/detalle.html",
        {
            "capacitacion": capacitacion,
            "organiza": _organiza(capacitacion),
            "es_organizador": organiza,
            "audiencias": _audiencias(capacitacion),
            "invitadas": invitadas,
            "sesiones": sesiones,
            "ahora": timezone.now(),
            "inscritas": por_estado[EstadoInscripcion.INSCRITA],
            "en_espera": por_estado[EstadoInscripcion.LISTA_ESPERA],
            "canceladas": por_estado[EstadoInscripcion.CANCELADA],
            "solo_propios": not organiza,
            "puede_inscribir": puede_inscribir,
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def detalle(request: HttpRequest, uuid: str) -> HttpResponse:
    """The training: data, sessions, participants (the organiser sees all of them, an invited
    municipality its own staff) and the registration form."""
    return _detalle(request, get_scoped_or_404(request.user, _detalle_qs(), uuid=uuid))


@require_POST
@login_required
def inscribir(request: HttpRequest, uuid: str) -> HttpResponse:
    """Register a participant: the organiser anyone (of an invited municipality or not); an
    invited municipality its own staff. When the capacity is full, to the waiting list."""
    user: Any = request.user
    capacitacion = get_scoped_or_404(user, _detalle_qs(), uuid=uuid)
    organiza = services.puede_organizar(user, capacitacion)
    invitadas = (
        [i.municipalidad for i in capacitacion.invitaciones.select_related("municipalidad__comuna")]
        if organiza
        else None
    )
    form = InscripcionForm(request.POST, municipalidades=invitadas)
    if not form.is_valid():
        return _detalle(request, capacitacion, form=form, status=400)
    datos = dict(form.cleaned_data)
    if not organiza:
        # Forced: an invited municipality registers its own staff (the service checks the invitation).
        datos["municipalidad"] = user.municipalidad if user.rol == Rol.MUNICIPAL else None
    try:
        inscripcion = services.inscribir(capacitacion=capacitacion, usuario=user, **datos)
    except SinPermiso as exc:
        return _rechazo(request, exc, capacitacion=capacitacion)
    except ErrorDeNegocio as exc:
        form.add_error(None, exc.mensaje)
        return _detalle(request, capacitacion, form=form, status=_status(exc))
    if inscripcion.estado == EstadoInscripcion.LISTA_ESPERA:
        messages.warning(
            request,
            _(
                "El cupo está completo: %(nombre)s quedó en lista de espera. Si se libera un cupo, "
                "pasará a inscrito/a automáticamente."
            )
            % {"nombre": inscripcion.nombre},
        )
    else:
        messages.success(request, _("%(nombre)s quedó inscrito/a.") % {"nombre": inscripcion.nombre})
    return redirect(reverse("capacitaciones:detalle", kwargs={"uuid": capacitacion.uuid}) + "#participantes")


@require_POST
@login_required
def inscripcion_cancelar(request: HttpRequest, uuid: str, pk: int) -> HttpResponse:
    """Cancel a registration; the first person of the waiting list takes the place (said)."""
    user: Any = request.user
    capacitacion = get_scoped_or_404(user, _capacitaciones_qs(), uuid=uuid)
    organiza = services.puede_organizar(user, capacitacion)
    # Only the participants the user sees, and not already cancelled: anything else is a 404.
    inscripcion = get_object_or_404(
        _participantes_visibles(user, capacitacion, organiza=organiza).exclude(estado=EstadoInscripcion.CANCELADA),
        pk=pk,
    )
    try:
        promovida = services.inscripcion_cancelar(inscripcion=inscripcion, usuario=user)
    except ErrorDeNegocio as exc:
        return _rechazo(request, exc, capacitacion=capacitacion)
    messages.success(request, _("Se canceló la inscripción de %(nombre)s.") % {"nombre": inscripcion.nombre})
    if promovida is not None:
        messages.info(
            request,
            _("%(nombre)s pasó de la lista de espera a inscrito/a.") % {"nombre": promovida.nombre},
        )
    return redirect(reverse("capacitaciones:detalle", kwargs={"uuid": capacitacion.uuid}) + "#participantes")


# --- Attendance -----------------------------------------------------------------------------
@dataclass
class FilaAsistencia:
    inscripcion: Inscripcion
    campo: Any


def _asistencia(
    request: HttpRequest,
    sesion: Sesion,
    *,
    form: AsistenciaForm | None = None,
    participantes: list[Inscripcion] | None = None,
    form_csv: ImportarCsvForm | None = None,
    errores_csv: list[services.ErrorDeFila] | None = None,
    status: int = 200,
) -> HttpResponse:
    if participantes is None:
        participantes = _inscritas(sesion)
    if form is None:
        marcadas = dict(sesion.asistencias.values_list("inscripcion_id", "estado"))
        form = AsistenciaForm(
            participantes=participantes,
            initial={f"{AsistenciaForm.PREFIJO}{pk}": estado for pk, estado in marcadas.items()},
        )
    return render(
        request,
        "capacitaciones/asistencia.html",
        {
            "sesion": sesion,
            "capacitacion": sesion.capacitacion,
            "pendiente": sesion.inicio > timezone.now(),
            "form": form,
            "filas": [FilaAsistencia(inscripcion=p, campo=form.campo_de(p)) for p in participantes],
            "form_csv": form_csv or ImportarCsvForm(),
            "errores_csv": errores_csv or [],
        },
        status=status,
    )


def _inscritas(sesion: Sesion) -> list[Inscripcion]:
    return list(
        sesion.capacitacion.inscripciones.filter(estado=EstadoInscripcion.INSCRITA)
        .select_related("municipalidad")
        .order_by("nombre", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def asistencia(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a session's attendance: one row per registered participant, four choices, one save
    button. A session that has not started cannot be marked (the service refuses: 409)."""
    sesion = _sesion_organizada(request, pk)
    if request.method == "GET":
        return _asistencia(request, sesion)
    participantes = _inscritas(sesion)
    form = AsistenciaForm(request.POST, participantes=participantes)
    if not form.is_valid():
        return _asistencia(request, sesion, form=form, participantes=participantes, status=400)
    try:
        marcadas = services.asistencia_marcar(sesion=sesion, usuario=request.user, marcas=form.marcas())
    except ErrorDeNegocio as exc:
        form.add_error(None, exc.mensaje)
        return _asistencia(request, sesion, form=form, participantes=participantes, status=_status(exc))
    if not marcadas:
        form.add_error(None, _("Marque la asistencia de al menos un/a participante."))
        return _asistencia(request, sesion, form=form, participantes=participantes, status=400)
    messages.success(
        request,
        ngettext(
            "Se guardó la asistencia de %(n)d participante.",
            "Se guardó la asistencia de %(n)d participantes.",
            marcadas,
        )
        % {"n": marcadas},
    )
    return redirect("capacitaciones:asistencia", pk=sesion.pk)


@require_POST
@login_required
def asistencia_importar(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a session's attendance from CSV: all or nothing, each bad row reported."""
    sesion = _sesion_organizada(request, pk)
    form_csv = ImportarCsvForm(request.POST, request.FILES)
    if not form_csv.is_valid():
        return _asistencia(request, sesion, form_csv=form_csv, status=400)
    try:
        marcadas = services.asistencia_importar_csv(
            sesion=sesion, usuario=request.user, contenido=form_csv.cleaned_data["archivo"].read()
        )
    except services.ImportacionConErrores as exc:
        form_csv.add_error(None, exc.mensaje)
        return _asistencia(request, sesion, form_csv=form_csv, errores_csv=exc.errores, status=_status(exc))
    except ErrorDeNegocio as exc:
        form_csv.add_error(None, exc.mensaje)
        return _asistencia(request, sesion, form_csv=form_csv, status=_status(exc))
    messages.success(
        request,
        ngettext(
            "Se importó la asistencia de %(n)d participante.",
            "Se importó la asistencia de %(n)d participantes.",
            marcadas,
        )
        % {"n": marcadas},
    )
    return redirect("capacitaciones:asistencia", pk=sesion.pk)


@login_required
@require_GET
def plantilla_asistencia(request: HttpRequest) -> HttpResponseBase:
    """The documented CSV template. With a byte-order mark, so spreadsheets open it as UTF-8."""
    response = HttpResponse(("\ufeff" + PLANTILLA_CSV).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="plantilla-asistencia.csv"
    )
    return _archivo_privado(response)


@login_required
@require_GET
def hoja_asistencia(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The paper sign-in sheet of a session: registered participants, a blank signature column."""
    sesion = _sesion_organizada(request, pk)
    capacitacion = sesion.capacitacion
    pdf = render_pdf(
        "pdf/capacitaciones/hoja_asistencia.html",
        {
            "capacitacion": capacitacion,
            "sesion": sesion,
            "organiza": _organiza(capacitacion),
            "participantes": _inscritas(sesion),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"hoja-asistencia-{timezone.localtime(sesion.inicio):%Y-%m-%d}.pdf"
    )
    return _archivo_privado(response)


urlpatterns: list[URLPattern] = [
    path("", lista, name="lista"),
    path("nueva/", nueva, name="nueva"),
    path("plantilla-asistencia.csv", plantilla_asistencia, name="plantilla_asistencia"),
    path("<uuid:uuid>/", detalle, name="detalle"),
    path("<uuid:uuid>/sesiones/nueva/", sesion_nueva, name="sesion_nueva"),
    path("<uuid:uuid>/inscripciones/", inscribir, name="inscribir"),
    path("<uuid:uuid>/inscripciones/<int:pk>/cancelar/", inscripcion_cancelar, name="inscripcion_cancelar"),
    path("sesiones/<int:pk>/asistencia/", asistencia, name="asistencia"),
    path("sesiones/<int:pk>/asistencia/importar/", asistencia_importar, name="asistencia_importar"),
    path("sesiones/<int:pk>/hoja.pdf", hoja_asistencia, name="hoja_asistencia"),
]
