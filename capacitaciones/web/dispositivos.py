"""Pages of the territorial devices (operativos) and of the good-practices catalogue.

Operativos are territorial: municipal officers see and record those of their comuna, regional
staff those of their región, national staff all; the Comité Evaluador and users without a role
get 403. Published good practices are a catalogue for every user with a role; municipalities
submit theirs ("Mis prácticas") and SERMIG national publishes or observes them.

Every view fetches through the scoping helper (another territory: 404), validates a form (400),
calls one service (its refusal: 403, 409 or 400 with its Spanish message, nothing written) and
redirects.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipios.models import Municipalidad, Rol
from municipios.scoping import get_scoped_or_404, scoped
from sello.errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.models import Linea

from .. import selectors, services
from ..models import BuenaPractica, DispositivoTerritorial, EstadoPractica, Servicio
from .dispositivos_forms import (
    BuenaPracticaForm,
    DispositivoForm,
    FiltroDispositivosForm,
    FiltroPracticasForm,
    RevisionPracticaForm,
)

PAGE_SIZE = 25
CON_OPERATIVOS = (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL)
# Buenas prácticas are indexed by the seal's lines, stored as a sorted list of at most 5 numbers.
MAX_LINEAS = len(Linea)


# --- Helpers --------------------------------------------------------------------------------
def _status(exc: ErrorDeNegocio) -> int:
    if isinstance(exc, SinPermiso):
        return 403
    if isinstance(exc, ConflictoDeVersion | TransicionNoPermitida):
        return 409
    return 400


def _paginar(request: HttpRequest, qs: QuerySet[Any]) -> tuple[Page[Any], str]:
    pagina = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return pagina, query.urlencode()


def _filtros(form: Any) -> dict[str, Any]:
    """The valid filters (an invalid one is shown with its error and ignored)."""
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in (None, "")}


def _exigir_operativos(user: Any) -> None:
    if getattr(user, "rol", None) not in CON_OPERATIVOS:
        raise PermissionDenied


def _tiene_territorio(user: Any) -> bool:
    # A territorial role without its territory sees nothing and records nothing.
    if user.rol == Rol.MUNICIPAL:
        return bool(user.municipalidad_id)
    if user.rol == Rol.REGIONAL:
        return bool(user.region_id)
    return True


def _exigir_municipal(user: Any) -> None:
    if getattr(user, "rol", None) != Rol.MUNICIPAL or not user.municipalidad_id:
        raise PermissionDenied


def _exigir_rol(user: Any) -> None:
    # Fails closed: an account without a role sees nothing, not even the public catalogue.
    if not getattr(user, "rol", ""):
        raise PermissionDenied


def _etiquetas(valores: list[Any], opciones: Any) -> list[str]:
    return [str(opciones(v).label) for v in valores if v in opciones.values]


# --- Operativos -----------------------------------------------------------------------------
@login_required
@require_GET
def dispositivos(request: HttpRequest) -> HttpResponse:
    """The operativos of the user's territory, filtered by type and year, with their totals."""
    user: Any = request.user
    _exigir_operativos(user)
    form = FiltroDispositivosForm(request.GET)
    filtros = _filtros(form)
    qs = selectors.dispositivos_visibles(usuario=user)
    if "tipo" in filtros:
        qs = qs.filter(tipo=filtros["tipo"])
    if "anio" in filtros:
        qs = qs.filter(fecha__year=filtros["anio"])
    totales = qs.aggregate(
        operativos=Count("pk"),
        **{c: Coalesce(Sum(c), 0) for c in ("mujeres", "hombres", "otros", "nna", "mayores_60")},
    )
    totales["personas"] = totales["mujeres"] + totales["hombres"] + totales["otros"]
    pagina, query = _paginar(request, qs)
    return render(
        request,
        "capacitaciones/dispositivos/lista.html",
        {
            "form": form,
            "page": pagina,
            "query": query,
            "totales": totales,
            "puede_registrar": _tiene_territorio(user),
        },
    )


def _comunas_elegibles(user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """The comunas of the user's territory, grouped by región (north to south)."""
    municipalidades = scoped(user, Municipalidad.objects.select_related("comuna__region")).order_by(
        "comuna__region__orden_norte_sur", "comuna__nombre"
    )
    grupos: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for m in municipalidades:
        grupos[str(m.comuna.region)].append((m.comuna_id, m.comuna.nombre))
    return list(grupos.items())


@login_required
@require_http_methods(["GET", "POST"])
def dispositivo_nuevo(request: HttpRequest) -> HttpResponse:
    """Record an operativo: a municipal officer in its comuna; SERMIG staff in a comuna they choose."""
    user: Any = request.user
    _exigir_operativos(user)
    if not _tiene_territorio(user):
        raise PermissionDenied
    comunas = None if user.rol == Rol.MUNICIPAL else _comunas_elegibles(user)
    status = 200
    if request.method == "POST":
        form = DispositivoForm(request.POST, comunas=comunas)
        status = 400
        if form.is_valid():
            datos = dict(form.cleaned_data)
            comuna = datos.pop("comuna", None) or user.municipalidad.comuna
            try:
                dispositivo = services.dispositivo_registrar(usuario=user, comuna=comuna, **datos)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(request, _("Operativo registrado."))
                return redirect("capacitaciones:dispositivo", uuid=dispositivo.uuid)
    else:
        form = DispositivoForm(comunas=comunas, initial={"fecha": timezone.localdate()})
    return render(request, "capacitaciones/dispositivos/nuevo.html", {"form": form}, status=status)


@login_required
@require_GET
def dispositivo(request: HttpRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    _exigir_operativos(user)
    operativo = get_scoped_or_404(
        user, DispositivoTerritorial.objects.select_related("comuna__region", "registrado_por"), uuid=uuid
    )
    return render(
        request,
        "capacitaciones/dispositivos/detalle.html",
        {"dispositivo": operativo, "servicios": _etiquetas(operativo.servicios, Servicio)},
    )


# --- Good practices -------------------------------------------------------------------------
@dataclass
class FilaPractica:
    practica: BuenaPractica
    lineas: list[str]


def _filas(pagina: Page[Any]) -> list[FilaPractica]:
    return [FilaPractica(p, _etiquetas(p.lineas, Linea)) for p in pagina]


def _con_linea(linea: int) -> Q:
    # An index lookup per position works on PostgreSQL and SQLite alike (JSON "contains" does
    # not exist on SQLite); the list holds at most one entry per line.
    condicion = Q()
    for i in range(MAX_LINEAS):
        condicion |= Q(**{f"lineas__{i}": linea})
    return condicion


@login_required
@require_GET
def practicas(request: HttpRequest) -> HttpResponse:
    """The catalogue of published practices: full-text search, by line of action, región and year."""
    _exigir_rol(request.user)
    form = FiltroPracticasForm(request.GET)
    filtros = _filtros(form)
    qs = selectors.buenas_practicas_publicadas(texto=filtros.get("q", ""))
    if "linea" in filtros:
        qs = qs.filter(_con_linea(filtros["linea"]))
    if "region" in filtros:
        qs = qs.filter(comuna__region=filtros["region"])
    if "anio" in filtros:
        qs = qs.filter(anio_inicio=filtros["anio"])
    pagina, query = _paginar(request, qs)
    user: Any = request.user
    return render(
        request,
        "capacitaciones/practicas/lista.html",
        {
            "form": form,
            "page": pagina,
            "query": query,
            "filas": _filas(pagina),
            "buscando": bool(filtros),
            "es_municipal": user.rol == Rol.MUNICIPAL and bool(user.municipalidad_id),
            "es_nacional": user.rol == Rol.NACIONAL,
        },
    )


def _practicas_qs() -> QuerySet[BuenaPractica]:
    return BuenaPractica.objects.select_related("comuna__region")


def _practica_visible(user: Any, uuid: str) -> BuenaPractica:
    """A published practice, for everybody with a role; otherwise only within the territory
    (its municipality, its región's staff, national staff)."""
    publicada = selectors.buenas_practicas_publicadas().filter(uuid=uuid).first()
    return publicada or get_scoped_or_404(user, _practicas_qs(), uuid=uuid)


def _render_practica(
    request: HttpRequest,
    practica: BuenaPractica,
    form: RevisionPracticaForm | None = None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    puede_revisar = user.rol == Rol.NACIONAL and practica.estado == EstadoPractica.ENVIADA
    propia = (
        user.rol == Rol.MUNICIPAL and bool(user.municipalidad_id) and user.municipalidad.comuna_id == practica.comuna_id
    )
    return render(
        request,
        "capacitaciones/practicas/detalle.html",
        {
            "practica": practica,
            "lineas": _etiquetas(practica.lineas, Linea),
            "publicada": practica.estado == EstadoPractica.PUBLICADA,
            "observada": practica.estado == EstadoPractica.OBSERVADA,
            "puede_corregir": propia and practica.estado == EstadoPractica.OBSERVADA,
            "form": (form or RevisionPracticaForm()) if puede_revisar else None,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def practica(request: HttpRequest, uuid: str) -> HttpResponse:
    _exigir_rol(request.user)
    return _render_practica(request, _practica_visible(request.user, uuid))


@require_POST
@login_required
def practica_revisar(request: HttpRequest, uuid: str) -> HttpResponse:
    """SERMIG national publishes a submitted practice or returns it with observations."""
    user: Any = request.user
    if user.rol != Rol.NACIONAL:
        raise PermissionDenied
    practica = get_scoped_or_404(user, _practicas_qs(), uuid=uuid)
    form = RevisionPracticaForm(request.POST)
    if not form.is_valid():
        return _render_practica(request, practica, form, status=400)
    publicar = form.cleaned_data["resultado"] == "publicar"
    try:
        services.buena_practica_revisar(
            practica=practica, usuario=user, publicar=publicar, comentario=form.cleaned_data["comentario"]
        )
    except ErrorDeNegocio as exc:
        return _render_practica(request, practica, form, error=exc.mensaje, status=_status(exc))
    if publicar:
        messages.success(request, _("«%(n)s» quedó publicada en el catálogo.") % {"n": practica.nombre})
    else:
        messages.success(request, _("«%(n)s» fue devuelta con observaciones.") % {"n": practica.nombre})
    return redirect("capacitaciones:practicas_revision")


CAMPOS_PRACTICA = list(BuenaPracticaForm.base_fields)


@login_required
@require_http_methods(["GET", "POST"])
def practica_nueva(request: HttpRequest) -> HttpResponse:
    """A municipality submits a practice for review; ``?desde=<uuid>`` starts from one of its
    observed practices, to correct it and submit it again."""
    user: Any = request.user
    _exigir_municipal(user)
    status = 200
    if request.method == "POST":
        form = BuenaPracticaForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.buena_practica_enviar(usuario=user, datos=form.cleaned_data)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(request, _("Buena práctica enviada a revisión de la coordinación nacional."))
                return redirect("capacitaciones:practicas_mias")
    else:
        inicial: dict[str, Any] = {}
        if request.GET.get("desde"):
            previa = get_scoped_or_404(user, BuenaPractica.objects.all(), uuid=request.GET["desde"])
            inicial = {c: getattr(previa, c) for c in CAMPOS_PRACTICA}
        form = BuenaPracticaForm(initial=inicial)
    return render(request, "capacitaciones/practicas/nueva.html", {"form": form}, status=status)


@login_required
@require_GET
def practicas_mias(request: HttpRequest) -> HttpResponse:
    """ "Mis prácticas": the municipality's practices in every state, the latest first."""
    user: Any = request.user
    _exigir_municipal(user)
    qs = scoped(user, BuenaPractica.objects.select_related("comuna").order_by("-creada_en", "-pk"))
    pagina, query = _paginar(request, qs)
    return render(
        request, "capacitaciones/practicas/mias.html", {"page": pagina, "query": query, "filas": _filas(pagina)}
    )


@login_required
@require_GET
def practicas_revision(request: HttpRequest) -> HttpResponse:
    """National review queue: submitted practices, the oldest first."""
    user: Any = request.user
    if user.rol != Rol.NACIONAL:
        raise PermissionDenied
    qs = scoped(
        user,
        _practicas_qs().filter(estado=EstadoPractica.ENVIADA).order_by("creada_en", "pk"),
    )
    pagina, query = _paginar(request, qs)
    return render(
        request, "capacitaciones/practicas/revision.html", {"page": pagina, "query": query, "filas": _filas(pagina)}
    )


urlpatterns: list[URLPattern] = [
    path("operativos/", dispositivos, name="dispositivos"),
    path("operativos/nuevo/", dispositivo_nuevo, name="dispositivo_nuevo"),
    path("operativos/<uuid:uuid>/", dispositivo, name="dispositivo"),
    path("practicas/", practicas, name="practicas"),
    path("practicas/nueva/", practica_nueva, name="practica_nueva"),
    path("practicas/mias/", practicas_mias, name="practicas_mias"),
    path("practicas/revision/", practicas_revision, name="practicas_revision"),
    path("practicas/<uuid:uuid>/", practica, name="practica"),
    path("practicas/<uuid:uuid>/revisar/", practica_revisar, name="practica_revisar"),
]
