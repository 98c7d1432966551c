"""Case pages shared by the municipality and SERMIG: the list of the user's cases ("Mis casos"
for a municipal officer, the territory's cases for SERMIG staff), registration of a case, the
case file (data, timeline, actions, conversation), draft edition and attachment download.

Every view fetches through the scoping helper (another territory, or the Comité Evaluador,
which sees no case: 404), validates a form (400), calls one service (its refusal: 403, 409 or
400 with its Spanish message, nothing written) and redirects.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipios.models import Rol
from municipios.scoping import get_scoped_or_404, puede_editar, scoped
from sello.archivos import nombre_seguro
from sello.errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida

from .. import selectors, services
from ..filters import CasoFilter
from ..flujo import TRANSICIONES, acciones_disponibles
from ..models import SUBTIPOS, Caso, EstadoCaso, Mensaje, Persona, TransicionCaso
from ..privacidad import ocultar_bloqueadas
from .forms import AccionForm, CasoEditarForm, CasoNuevoForm, MensajeForm, subtipo_valor
from .paginacion import PaginadorCasos, total_de

PAGE_SIZE = 25
CON_CASOS = (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL)
SERMIG = (Rol.REGIONAL, Rol.NACIONAL)


# --- Helpers --------------------------------------------------------------------------------
def _casos_qs() -> QuerySet[Caso]:
    return Caso.objects.select_related("comuna__region", "persona", "asignado_a")


def _exigir_casos(user: Any) -> None:
    # The Comité Evaluador and users without a role see no case at all: "not found", as for
    # a case outside the territory.
    if getattr(user, "rol", None) not in CON_CASOS:
        raise Http404(_("No encontrado."))


def _status(exc: ErrorDeNegocio) -> int:
    if isinstance(exc, SinPermiso):
        return 403
    if isinstance(exc, ConflictoDeVersion | TransicionNoPermitida):
        return 409
    return 400


def _rechazo(
    request: HttpRequest, exc: ErrorDeNegocio | None = None, *, caso: Caso, mensaje: str = "", status: int = 400
) -> HttpResponse:
    return render(
        request,
        "casos/error.html",
        {"mensaje": exc.mensaje if exc else mensaje, "caso": caso},
        status=_status(exc) if exc else status,
    )


def _errores(form: Any) -> str:
    return " ".join(str(e) for errores in form.errors.values() for e in errores)


def _archivo_privado(response: HttpResponseBase) -> HttpResponseBase:
    """Downloads are never rendered by the browser nor kept by shared caches."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


# --- List -----------------------------------------------------------------------------------
@dataclass
class FilaCaso:
    caso: Caso
    nombre: str
    vencido: bool
    tipo: str = ""
    prioridad: str = ""
    estado: str = ""


@login_required
@require_GET
def lista(request: HttpRequest) -> HttpResponse:
    """ "Mis casos": the cases of the user's territory, filtered, with sensitive names masked."""
    user: Any = request.user
    _exigir_casos(user)
    filtro = CasoFilter(request.GET, queryset=selectors.casos_visibles(usuario=user), request=request)
    if user.rol == Rol.MUNICIPAL:
        del filtro.form.fields["comuna"]  # its own comuna only: nothing to choose
    pagina = PaginadorCasos(filtro.qs, PAGE_SIZE, total=total_de(request, filtro)).get_page(request.GET.get("page"))
    ahora = timezone.now()
    etiquetas = selectors.etiquetas_de_casos()
    filas = [
        FilaCaso(
            caso=caso,
            nombre=selectors.nombre_visible(caso),
            vencido=selectors.esta_vencido(caso, ahora=ahora),
            tipo=etiquetas["tipo"].get(caso.tipo, caso.tipo),
            prioridad=etiquetas["prioridad"].get(caso.prioridad, caso.prioridad),
            estado=etiquetas["estado"].get(caso.estado, caso.estado),
        )
        for caso in pagina
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casos/lista.html",
        {
            "filtro": filtro,
            "page": pagina,
            "filas": filas,
            "query": query.urlencode(),
            "puede_registrar": user.rol == Rol.MUNICIPAL and bool(user.municipalidad_id),
        },
    )


# --- Registration ---------------------------------------------------------------------------
@dataclass
class Duplicado:
    persona: Persona
    nombre: str
    folios: list[str]


def _duplicados(user: Any, form: CasoNuevoForm) -> list[Duplicado]:
    """People of the user's scope with the same normalised document, with their visible cases'
    folios; names masked as in lists when the person is a child or has a sensitive case.
    Raises ErrorDeNegocio for an invalid document (e.g. a RUN with a wrong check digit)."""
    personas = list(
        selectors.posibles_duplicados(
            usuario=user,
            tipo_documento=form.cleaned_data["tipo_documento"],
            numero_documento=form.cleaned_data["numero_documento"],
        )
    )
    if not personas:
        return []
    casos_por_persona: dict[int, list[Caso]] = defaultdict(list)
    for caso in scoped(user, Caso.objects.filter(persona__in=personas).order_by("creado_en", "pk")):
        casos_por_persona[caso.persona_id].append(caso)
    duplicados = []
    for persona in personas:
        casos = casos_por_persona[persona.pk]
        sensible = persona.es_nna or any(c.sensible for c in casos)
        # The masking rule lives in nombre_visible, which reads a case: an unsaved one carries
        # the person and whether any of their cases is sensitive.
        nombre = selectors.nombre_visible(Caso(persona=persona, sensible=sensible))
        duplicados.append(Duplicado(persona=persona, nombre=nombre, folios=[c.folio for c in casos]))
    return duplicados


def _registrar(user: Any, form: CasoNuevoForm, duplicados: list[Duplicado]) -> Caso:
    """The person (new, or an existing one the officer chose) and the case, both or neither."""
    elegida = form.cleaned_data["persona_existente"]
    persona = next((d.persona for d in duplicados if d.persona.uuid == elegida), None)
    if elegida and persona is None:
        raise ErrorDeNegocio(_("Elija una de las personas ya registradas, o registre una nueva."))
    with transaction.atomic():
        if persona is None:
            persona = services.persona_registrar(usuario=user, **form.datos_persona())
        return services.caso_crear(usuario=user, persona=persona, **form.datos_caso())


@login_required
@require_http_methods(["GET", "POST"])
def nuevo(request: HttpRequest) -> HttpResponse:
    """Register a person and their case (a draft). When the document is already registered in
    the comuna, the form comes back with a warning and the officer confirms (or reuses the
    existing person) before anything is created."""
    user: Any = request.user
    _exigir_casos(user)
    if user.rol != Rol.MUNICIPAL or not user.municipalidad_id:
        raise PermissionDenied
    duplicados: list[Duplicado] = []
    status = 200
    if request.method == "POST":
        form = CasoNuevoForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                duplicados = _duplicados(user, form)
                if duplicados and not form.cleaned_data["confirmar_duplicado"]:
                    status = 200  # a warning, not an error: the officer decides
                else:
                    caso = _registrar(user, form, duplicados)
                    messages.success(request, _("Caso %(folio)s registrado como borrador.") % {"folio": caso.folio})
                    return redirect("casos:detalle", uuid=caso.uuid)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
    else:
        form = CasoNuevoForm(initial={"consentimiento_fecha": timezone.localdate()})
    return render(
        request,
        "casos/nuevo.html",
        {
            "form": form,
            "duplicados": duplicados,
            # Duplicates are only looked up for a valid form: cleaned_data exists then.
            "elegida": form.cleaned_data.get("persona_existente") if duplicados else None,
        },
        status=status,
    )


# --- The case file --------------------------------------------------------------------------
@dataclass
class Evento:
    """One step of the timeline: a state change or a message (or internal note)."""

    fecha: datetime
    transicion: TransicionCaso | None = None
    mensaje: Mensaje | None = None
    etiqueta: str = ""


def _linea_de_tiempo(caso: Caso, user: Any) -> list[Evento]:
    eventos = [
        Evento(
            fecha=t.fecha,
            transicion=t,
            etiqueta=str(TRANSICIONES[t.accion].etiqueta) if t.accion in TRANSICIONES else _("Reasignación"),
        )
        for t in caso.transiciones.select_related("usuario").order_by("fecha", "pk")
    ]
    eventos += [Evento(fecha=m.creado_en, mensaje=m) for m in selectors.mensajes_visibles(caso=caso, usuario=user)]
    # A stable sort: a state change comes before the message written with it.
    return sorted(eventos, key=lambda e: e.fecha)


@dataclass
class AccionDisponible:
    accion: str
    etiqueta: str
    requiere_comentario: bool
    form: AccionForm


@login_required
@require_GET
def detalle(request: HttpRequest, uuid: str) -> HttpResponse:
    """The full case: the person's data (revealed: the case is opened, and a sensitive case's
    opening is logged), the timeline, the actions the user may take and the conversation."""
    user: Any = request.user
    caso = get_scoped_or_404(user, ocultar_bloqueadas(user, _casos_qs().select_related("creado_por")), uuid=uuid)
    if caso.sensible:
        services.acceso_registrar(caso=caso, usuario=user)
    disponibles = acciones_disponibles(user, caso)
    equipo = services.equipo_regional(caso.comuna.region_id) if any(t.accion == "asignar" for t in disponibles) else []
    acciones = [
        AccionDisponible(
            accion=t.accion,
            etiqueta=str(t.etiqueta),
            requiere_comentario=t.requiere_comentario,
            form=AccionForm(
                initial={"accion": t.accion, "version": caso.version},
                equipo=equipo if t.accion == "asignar" else None,
                auto_id=f"id_{t.accion}_%s",
            ),
        )
        for t in disponibles
    ]
    return render(
        request,
        "casos/detalle.html",
        {
            "caso": caso,
            "persona": caso.persona,
            "subtipo": dict(SUBTIPOS.get(caso.tipo, [])).get(caso.subtipo, caso.subtipo),
            "nombre": selectors.nombre_visible(caso, revelar=True),
            "documento": selectors.documento_visible(caso, revelar=True),
            "vencido": selectors.esta_vencido(caso, ahora=timezone.now()),
            "eventos": _linea_de_tiempo(caso, user),
            "acciones": acciones,
            "mensaje_form": MensajeForm(auto_id="id_mensaje_%s"),
            "puede_escribir": user.rol in CON_CASOS and puede_editar(user, caso) and caso.estado != EstadoCaso.CERRADO,
            "nota_interna": user.rol in SERMIG,
            "puede_editar_borrador": user.rol == Rol.MUNICIPAL
            and caso.estado == EstadoCaso.BORRADOR
            and puede_editar(user, caso),
        },
    )


@require_POST
@login_required
def accion(request: HttpRequest, uuid: str) -> HttpResponse:
    """A workflow action (derivar, asignar, solicitar información, responder, resolver, cerrar,
    reabrir) with the version the user saw and a comment."""
    user: Any = request.user
    caso = get_scoped_or_404(user, ocultar_bloqueadas(user, _casos_qs()), uuid=uuid)
    equipo = services.equipo_regional(caso.comuna.region_id) if request.POST.get("accion") == "asignar" else []
    form = AccionForm(request.POST, equipo=equipo)
    if not form.is_valid():
        return _rechazo(
            request, caso=caso, mensaje=_("La acción solicitada no es válida: %(e)s") % {"e": _errores(form)}
        )
    nombre = form.cleaned_data["accion"]
    asignado = next((u for u in equipo if u.pk == form.cleaned_data["asignado_a"]), None)
    try:
        services.caso_transicionar(
            caso=caso,
            accion=nombre,
            usuario=user,
            version=form.cleaned_data["version"],
            comentario=form.cleaned_data["comentario"],
            asignado_a=asignado,
        )
    except ErrorDeNegocio as exc:
        return _rechazo(request, exc, caso=caso)
    messages.success(request, _("Listo: %(accion)s.") % {"accion": TRANSICIONES[nombre].etiqueta})
    return redirect("casos:detalle", uuid=caso.uuid)


@require_POST
@login_required
def mensajes(request: HttpRequest, uuid: str) -> HttpResponse:
    """A message of the conversation (or, for SERMIG staff, an internal note) with an optional
    attachment, validated by its content."""
    user: Any = request.user
    caso = get_scoped_or_404(user, ocultar_bloqueadas(user, _casos_qs()), uuid=uuid)
    form = MensajeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _rechazo(request, caso=caso, mensaje=_("Revise el mensaje: %(e)s") % {"e": _errores(form)})
    try:
        services.mensaje_agregar(caso=caso, usuario=user, **form.cleaned_data)
    except ErrorDeNegocio as exc:
        return _rechazo(request, exc, caso=caso)
    messages.success(request, _("Nota interna guardada.") if form.cleaned_data["interno"] else _("Mensaje enviado."))
    return redirect(reverse("casos:detalle", kwargs={"uuid": caso.uuid}) + "#conversacion")


@login_required
@require_http_methods(["GET", "POST"])
def editar(request: HttpRequest, uuid: str) -> HttpResponse:
    """Edit a draft (the municipality's own officers), refused when someone else saved it
    since the form was loaded."""
    user: Any = request.user
    caso = get_scoped_or_404(user, ocultar_bloqueadas(user, _casos_qs()), uuid=uuid)
    if user.rol != Rol.MUNICIPAL:
        raise PermissionDenied  # SERMIG staff see the case but do not edit the municipality's draft
    status = 200
    if request.method == "POST":
        form = CasoEditarForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.caso_editar(caso=caso, usuario=user, version=form.cleaned_data["version"], **form.datos_caso())
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(request, _("Borrador guardado."))
                return redirect("casos:detalle", uuid=caso.uuid)
    elif caso.estado != EstadoCaso.BORRADOR:
        return _rechazo(request, caso=caso, mensaje=_("Solo se pueden editar casos en borrador."), status=409)
    else:
        form = CasoEditarForm(
            initial={
                **{nombre: getattr(caso, nombre) for nombre in CasoEditarForm.CAMPOS_CASO},
                "subtipo": subtipo_valor(caso.tipo, caso.subtipo),
                "version": caso.version,
            }
        )
    return render(request, "casos/editar.html", {"caso": caso, "form": form}, status=status)


@login_required
@require_GET
def adjunto(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A message's attachment, for whoever sees the message (an internal note's: SERMIG only);
    served as a download with the type validated on upload, never the uploader's claim."""
    user: Any = request.user
    caso = get_scoped_or_404(user, ocultar_bloqueadas(user, Caso.objects.select_related("comuna")), mensajes__pk=pk)
    mensaje = get_object_or_404(
        selectors.mensajes_visibles(caso=caso, usuario=user).filter(adjunto__isnull=False), pk=pk
    )
    archivo = mensaje.adjunto
    assert archivo is not None
    try:
        contenido = archivo.archivo.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("No encontrado.")) from exc
    if caso.sensible:
        services.acceso_registrar(caso=caso, usuario=user, via="adjunto")
    response = FileResponse(
        contenido, as_attachment=True, filename=nombre_seguro(archivo.nombre_original), content_type=archivo.tipo
    )
    return _archivo_privado(response)


urlpatterns: list[URLPattern] = [
    path("", lista, name="lista"),
    path("nuevo/", nuevo, name="nuevo"),
    path("<uuid:uuid>/", detalle, name="detalle"),
    path("<uuid:uuid>/accion/", accion, name="accion"),
    path("<uuid:uuid>/mensajes/", mensajes, name="mensajes"),
    path("<uuid:uuid>/editar/", editar, name="editar"),
    path("adjuntos/<int:pk>/", adjunto, name="adjunto"),
]
