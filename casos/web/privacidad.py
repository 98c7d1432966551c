"""Data-protection pages of a person of the cases (Ley 21.719; services in ``casos.privacidad``):
her page (data, cases, the rights that can be exercised), the export of all her data as JSON
or PDF, rectification, blocking and unblocking, anonymisation, and the national log of these
operations.

Access: the person is fetched through the scoping helper - another territory, the Comité
Evaluador and users without a role get a 404 - with blocked people hidden from everybody but
national staff (404 too: their existence is not revealed); then the role (403). A write
validates a form and calls one service (its refusal: 403, 409 or 400 with its message).
"""

import re
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from municipios.models import Rol
from municipios.scoping import get_scoped_or_404, puede_editar, scoped
from sello.errores import ErrorDeNegocio
from sello.pdf import render_pdf

from .. import portabilidad, privacidad, services
from ..models import AccionPrivacidad, Caso, OperacionPrivacidad, Persona
from .forms import campo
from .sermig import sin_pagina, status_de

PAGE_SIZE = 25
CON_CASOS = (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL)
ISO_FECHA_HORA = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# --- Forms --------------------------------------------------------------------------------


class RectificarForm(forms.Form):
    """Her data as registered (the service applies the registration rules)."""

    nombres = campo(Persona, "nombres")
    apellidos = campo(Persona, "apellidos")
    tipo_documento = campo(Persona, "tipo_documento")
    numero_documento = campo(Persona, "numero_documento")
    nacionalidad = campo(Persona, "nacionalidad")
    sexo = campo(Persona, "sexo")
    fecha_nacimiento = campo(Persona, "fecha_nacimiento")
    tramo_edad = campo(Persona, "tramo_edad")
    telefono = campo(Persona, "telefono")
    email = campo(Persona, "email")


class BloqueoForm(forms.Form):
    motivo = forms.CharField(
        label=gettext_lazy("Motivo del bloqueo"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Por ejemplo: solicitud de bloqueo de la titular, o conservación por un procedimiento judicial."
        ),
    )


class AnonimizarForm(forms.Form):
    confirmar = forms.BooleanField(
        label=gettext_lazy("Entiendo que la anonimización es irreversible"),
        error_messages={"required": gettext_lazy("Confirme que entiende que la anonimización es irreversible.")},
    )


class RegistroFiltroForm(forms.Form):
    accion = forms.ChoiceField(
        label=gettext_lazy("Operación"), required=False, choices=[("", "—"), *AccionPrivacidad.choices]
    )
    usuario = forms.CharField(label=gettext_lazy("Usuario (nombre o cuenta)"), required=False, max_length=150)
    desde = forms.DateField(label=gettext_lazy("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hasta = forms.DateField(label=gettext_lazy("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


# --- Helpers ------------------------------------------------------------------------------


def _persona(user: Any, uuid: str) -> Persona:
    return get_scoped_or_404(user, privacidad.ocultar_bloqueadas(user, privacidad.personas_qs()), uuid=uuid)


def _rechazo(request: HttpRequest, persona: Persona, mensaje: str, status: int) -> HttpResponse:
    return render(request, "casos/privacidad/error.html", {"mensaje": mensaje, "persona": persona}, status=status)


def _descarga(response: HttpResponse, nombre: str) -> HttpResponse:
    """A download never rendered by the browser nor kept by shared caches."""
    response["Content-Disposition"] = f'attachment; filename="{nombre}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"  # (never_cache adds to it)
    return response


def _nombre_archivo(extension: str) -> str:
    # Never her name in a file name: it travels in e-mails and download folders.
    return f"datos-persona-{timezone.localdate():%Y%m%d}.{extension}"


def legible(dato: Any) -> Any:
    """The export for the PDF: ISO date-times as ``d/m/Y H:i`` in local time."""
    if isinstance(dato, dict):
        return {clave: legible(v) for clave, v in dato.items()}
    if isinstance(dato, list):
        return [legible(v) for v in dato]
    if isinstance(dato, str) and ISO_FECHA_HORA.match(dato):
        return timezone.localtime(datetime.fromisoformat(dato)).strftime("%d/%m/%Y %H:%M")
    return dato


def _mostrar(dato: Any) -> Any:
    if dato is None or dato == "":
        return "—"
    if isinstance(dato, bool):
        return _("sí") if dato else _("no")
    return dato


def historial_legible(historial: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A history for people: dates as in :func:`legible`, empty values as "—", yes and no."""
    legibles = []
    for h in legible(historial):
        cambios = [{**c, "antes": _mostrar(c["antes"]), "despues": _mostrar(c["despues"])} for c in h["cambios"]]
        legibles.append({**h, "cambios": cambios})
    return legibles


def documento_legible(datos: dict[str, Any]) -> dict[str, Any]:
    """The export as the PDF shows it."""
    legibles: dict[str, Any] = legible(datos)
    legibles["historial_persona"] = historial_legible(datos["historial_persona"])
    for caso, original in zip(legibles["casos"], datos["casos"], strict=True):
        caso["historial"] = historial_legible(original["historial"])
    return legibles


def _historial(persona: Persona) -> list[dict[str, Any]]:
    cambios = portabilidad.historial(Persona.history.filter(id=persona.pk), portabilidad.HISTORIAL_PERSONA)
    return historial_legible(cambios.get(persona.pk, []))


def _render_persona(
    request: HttpRequest, persona: Persona, *, bloqueo_form: BloqueoForm | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    casos = list(
        scoped(user, Caso.objects.filter(persona=persona).select_related("comuna")).order_by("-creado_en", "-pk")
    )
    # The page reveals the name of her sensitive cases: each showing is logged.
    for caso in casos:
        if caso.sensible:
            services.acceso_registrar(caso=caso, usuario=user, via="persona")
    editable = persona.anonimizada_en is None and not persona.bloqueada and puede_editar(user, persona)
    return render(
        request,
        "casos/privacidad/persona.html",
        {
            "persona": persona,
            "casos": casos,
            "puede_rectificar": editable,
            "puede_bloquear": editable,
            "puede_desbloquear": persona.bloqueada and user.rol == Rol.NACIONAL,
            "puede_anonimizar": user.rol == Rol.NACIONAL and persona.anonimizada_en is None and not persona.bloqueada,
            "bloqueo_form": bloqueo_form or BloqueoForm(),
            # The audit trail of her data (who changed what, when): national staff.
            "historial": _historial(persona) if user.rol == Rol.NACIONAL else None,
        },
        status=status,
    )


# --- Pages --------------------------------------------------------------------------------


@login_required
@require_safe
def persona(request: HttpRequest, uuid: str) -> HttpResponse:
    """Her data in full, her cases and the rights that can be exercised (opening it is logged
    for each of her sensitive cases)."""
    return _render_persona(request, _persona(request.user, uuid))


@never_cache
@login_required
@require_safe
def exportar_json(request: HttpRequest, uuid: str) -> HttpResponse:
    """Everything held about her, machine-readable (portability); logged."""
    user: Any = request.user
    encontrada = _persona(user, uuid)
    try:
        datos = privacidad.persona_exportar(persona=encontrada, usuario=user, formato="json")
    except ErrorDeNegocio as exc:
        return _rechazo(request, encontrada, exc.mensaje, status_de(exc))
    response = JsonResponse(datos, json_dumps_params={"ensure_ascii": False, "indent": 2})
    return _descarga(response, _nombre_archivo("json"))


@never_cache
@login_required
@require_safe
def exportar_pdf(request: HttpRequest, uuid: str) -> HttpResponse:
    """The same document as the JSON, readable (right of access); logged."""
    user: Any = request.user
    encontrada = _persona(user, uuid)
    try:
        datos = privacidad.persona_exportar(persona=encontrada, usuario=user, formato="pdf")
    except ErrorDeNegocio as exc:
        return _rechazo(request, encontrada, exc.mensaje, status_de(exc))
    pdf = render_pdf("pdf/casos/datos_persona.html", {"datos": documento_legible(datos)})
    return _descarga(HttpResponse(pdf, content_type="application/pdf"), _nombre_archivo("pdf"))


@login_required
@require_http_methods(["GET", "POST"])
def rectificar(request: HttpRequest, uuid: str) -> HttpResponse:
    """Correct her data; the history keeps who changed what and when."""
    user: Any = request.user
    encontrada = _persona(user, uuid)
    if user.rol not in CON_CASOS:
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = RectificarForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                privacidad.persona_rectificar(persona=encontrada, usuario=user, **form.cleaned_data)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = status_de(exc)
            else:
                messages.success(request, _("Datos de la persona rectificados."))
                return redirect("casos:privacidad_persona", uuid=encontrada.uuid)
    elif encontrada.bloqueada or encontrada.anonimizada_en is not None:
        return _rechazo(request, encontrada, _("Los datos de esta persona no se pueden modificar."), 409)
    else:
        form = RectificarForm(initial={c: getattr(encontrada, c) for c in privacidad.CAMPOS_RECTIFICABLES})
    return render(request, "casos/privacidad/rectificar.html", {"persona": encontrada, "form": form}, status=status)


@require_POST
@login_required
def bloquear(request: HttpRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    encontrada = _persona(user, uuid)
    form = BloqueoForm(request.POST)
    if not form.is_valid():
        return _render_persona(request, encontrada, bloqueo_form=form, status=400)
    try:
        privacidad.persona_bloquear(persona=encontrada, usuario=user, motivo=form.cleaned_data["motivo"])
    except ErrorDeNegocio as exc:
        form.add_error(None, exc.mensaje)
        return _render_persona(request, encontrada, bloqueo_form=form, status=status_de(exc))
    messages.success(request, _("Datos bloqueados: solo el nivel nacional del SERMIG puede verlos."))
    if user.rol == Rol.NACIONAL:
        return redirect("casos:privacidad_persona", uuid=encontrada.uuid)
    return redirect("casos:lista")


@require_POST
@login_required
def desbloquear(request: HttpRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    encontrada = _persona(user, uuid)
    try:
        privacidad.persona_desbloquear(persona=encontrada, usuario=user)
    except ErrorDeNegocio as exc:
        return _rechazo(request, encontrada, exc.mensaje, status_de(exc))
    messages.success(request, _("Datos desbloqueados."))
    return redirect("casos:privacidad_persona", uuid=encontrada.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def anonimizar(request: HttpRequest, uuid: str) -> HttpResponse:
    """Erase her personal data keeping the statistics (national staff, after confirming)."""
    user: Any = request.user
    encontrada = _persona(user, uuid)
    if user.rol != Rol.NACIONAL:
        raise PermissionDenied
    form = AnonimizarForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                anonimizada = privacidad.persona_anonimizar(persona=encontrada, usuario=user)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = status_de(exc)
            else:
                messages.success(request, _("Datos personales anonimizados. Las estadísticas se conservan."))
                return redirect("casos:privacidad_persona", uuid=anonimizada.uuid)
    return render(request, "casos/privacidad/anonimizar.html", {"persona": encontrada, "form": form}, status=status)


def operaciones_qs() -> QuerySet[OperacionPrivacidad]:
    return OperacionPrivacidad.objects.select_related("usuario", "persona__comuna").order_by("-fecha", "-pk")


@login_required
@require_safe
def registro(request: HttpRequest) -> HttpResponse:
    """Exports, rectifications, blocks and anonymisations: who, when, on whom (national staff)."""
    user: Any = request.user
    if getattr(user, "rol", None) != Rol.NACIONAL:
        raise PermissionDenied
    form = RegistroFiltroForm(request.GET)
    qs = scoped(user, operaciones_qs())  # national staff: every territory
    if form.is_valid():
        datos = form.cleaned_data
        if datos["accion"]:
            qs = qs.filter(accion=datos["accion"])
        if nombre := datos["usuario"].strip():
            qs = qs.filter(
                Q(usuario__username__icontains=nombre)
                | Q(usuario__first_name__icontains=nombre)
                | Q(usuario__last_name__icontains=nombre)
            )
        if datos["desde"]:
            qs = qs.filter(fecha__date__gte=datos["desde"])
        if datos["hasta"]:
            qs = qs.filter(fecha__date__lte=datos["hasta"])
    pagina = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casos/privacidad/registro.html",
        {"form": form, "page": pagina, "query": sin_pagina(request)},
        status=200 if form.is_valid() else 400,
    )


urlpatterns: list[URLPattern] = [
    path("privacidad/personas/<uuid:uuid>/", persona, name="privacidad_persona"),
    path("privacidad/personas/<uuid:uuid>/datos.json", exportar_json, name="privacidad_json"),
    path("privacidad/personas/<uuid:uuid>/datos.pdf", exportar_pdf, name="privacidad_pdf"),
    path("privacidad/personas/<uuid:uuid>/rectificar/", rectificar, name="privacidad_rectificar"),
    path("privacidad/personas/<uuid:uuid>/bloquear/", bloquear, name="privacidad_bloquear"),
    path("privacidad/personas/<uuid:uuid>/desbloquear/", desbloquear, name="privacidad_desbloquear"),
    path("privacidad/personas/<uuid:uuid>/anonimizar/", anonimizar, name="privacidad_anonimizar"),
    path("privacidad/", registro, name="privacidad_registro"),
]
