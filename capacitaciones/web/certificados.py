"""Training pages: certificates (issue in batch, progress, download, revocation) and the
satisfaction survey (public answer page by token, results per training).

Trainings are fetched through the scoping helper (another territory is a 404); acting needs
the organiser (``services.puede_organizar``, otherwise 403). Each view calls one service and
redirects; a refused operation (``ErrorDeNegocio``) shows the service's Spanish message and
writes nothing.
"""

from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipios.models import Rol
from municipios.scoping import get_scoped_or_404
from sello.errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.fallas import encolar

from .. import certificados, selectors, services, tasks
from ..models import Capacitacion

NOTAS = [(n, str(n)) for n in range(1, 6)]


class RevocarForm(forms.Form):
    motivo = forms.CharField(
        label=gettext_lazy("Motivo de la revocación"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Se registra en el historial; la verificación pública mostrará «revocado»."),
    )


class EncuestaForm(forms.Form):
    general = forms.TypedChoiceField(
        label=gettext_lazy("Satisfacción general con la capacitación"),
        choices=NOTAS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    contenidos = forms.TypedChoiceField(
        label=gettext_lazy("Contenidos"), choices=NOTAS, coerce=int, widget=forms.RadioSelect
    )
    relatores = forms.TypedChoiceField(
        label=gettext_lazy("Relatores y relatoras"), choices=NOTAS, coerce=int, widget=forms.RadioSelect
    )
    utilidad = forms.TypedChoiceField(
        label=gettext_lazy("Utilidad para su trabajo"), choices=NOTAS, coerce=int, widget=forms.RadioSelect
    )
    comentario = forms.CharField(
        label=gettext_lazy("Comentario (opcional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- Helpers --------------------------------------------------------------------------------
def _capacitacion(request: HttpRequest, uuid: Any) -> Capacitacion:
    return get_scoped_or_404(
        request.user, Capacitacion.objects.select_related("region", "municipalidad_organizadora"), uuid=uuid
    )


def _status(exc: ErrorDeNegocio) -> int:
    if isinstance(exc, SinPermiso):
        return 403
    if isinstance(exc, (ConflictoDeVersion, TransicionNoPermitida)):
        return 409
    return 400


def _rechazo(request: HttpRequest, mensaje: str, status: int, capacitacion: Capacitacion | None = None) -> HttpResponse:
    volver = reverse("capacitaciones:certificados", kwargs={"uuid": capacitacion.uuid}) if capacitacion else None
    return render(
        request,
        "capacitaciones/certificados/error.html",
        {"mensaje": mensaje, "volver": volver},
        status=status,
    )


# --- Certificates ---------------------------------------------------------------------------
@login_required
@require_GET
def certificados_lista(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Participants and their certificates (issued / PDF ready / revoked); refreshes itself
    while PDFs are being generated."""
    capacitacion = _capacitacion(request, uuid)
    certificacion = certificados.certificacion(capacitacion=capacitacion, usuario=request.user)
    return render(
        request,
        "capacitaciones/certificados/lista.html",
        {
            "capacitacion": capacitacion,
            "certificacion": certificacion,
            "revocar_form": RevocarForm(),
            "sitio": settings.SITE_URL.rstrip("/"),
            "puede_ver_resultados": _puede_ver_resultados(request.user, capacitacion),
        },
    )


@login_required
@require_POST
def certificados_emitir(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Issue the certificates now and queue the batch that renders their PDFs."""
    capacitacion = _capacitacion(request, uuid)
    if not services.puede_organizar(request.user, capacitacion):
        raise PermissionDenied
    try:
        emitidos = services.certificados_emitir(capacitacion=capacitacion)
    except ErrorDeNegocio as exc:
        return _rechazo(request, exc.mensaje, _status(exc), capacitacion)
    # The task issues again (idempotent) and renders every missing PDF, in the background.
    # A broker that is down leaves each PDF to be rendered on its first download.
    transaction.on_commit(partial(encolar, tasks.certificados_emitir, capacitacion.pk))
    if emitidos:
        messages.success(
            request,
            ngettext(
                "%(n)d certificado emitido; su PDF se genera en segundo plano.",
                "%(n)d certificados emitidos; sus PDF se generan en segundo plano.",
                len(emitidos),
            )
            % {"n": len(emitidos)},
        )
    else:
        messages.warning(
            request,
            _("Ningún participante alcanzó la asistencia mínima (%(min)d%%): no se emitieron certificados.")
            % {"min": capacitacion.asistencia_minima},
        )
    return redirect("capacitaciones:certificados", uuid=capacitacion.uuid)


def _certificado(request: HttpRequest, codigo: str) -> Any:
    """A certificate of a training the user sees, if the user may have it; otherwise 404."""
    certificado = get_object_or_404(certificados.certificados_visibles(usuario=request.user), codigo=codigo)
    if not certificados.puede_descargar(request.user, certificado):
        raise Http404
    return certificado


@login_required
@require_GET
def certificado_pdf(request: HttpRequest, codigo: str) -> HttpResponseBase:
    """The certificate PDF as an attachment; rendered now if the batch has not reached it yet."""
    certificado = _certificado(request, codigo)
    if certificado.revocado_en is not None:
        return _rechazo(
            request,
            _("Este certificado fue revocado: ya no se puede descargar."),
            410,
            certificado.inscripcion.capacitacion,
        )
    if certificado.pdf is None:
        certificado = certificados.certificado_pdf_generar(certificado.pk)
    archivo = certificado.pdf
    response = FileResponse(
        archivo.archivo.open("rb"),
        as_attachment=True,
        filename=archivo.nombre_original,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def certificado_revocar(request: HttpRequest, codigo: str) -> HttpResponse:
    """The organiser revokes a certificate, with a reason; its public verification says so."""
    certificado = _certificado(request, codigo)
    capacitacion = certificado.inscripcion.capacitacion
    if not services.puede_organizar(request.user, capacitacion):
        raise PermissionDenied
    form = RevocarForm(request.POST)
    if not form.is_valid():
        return _rechazo(request, _("Indique el motivo de la revocación."), 400, capacitacion)
    try:
        services.certificado_revocar(certificado=certificado, usuario=request.user, motivo=form.cleaned_data["motivo"])
    except ErrorDeNegocio as exc:
        return _rechazo(request, exc.mensaje, _status(exc), capacitacion)
    messages.success(request, _("Certificado de %(nombre)s revocado.") % {"nombre": certificado.nombre})
    return redirect("capacitaciones:certificados", uuid=capacitacion.uuid)


# --- Satisfaction survey --------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def encuesta(request: HttpRequest, token: str) -> HttpResponse:
    """The participant's survey, reached through the link the organiser sent (no account)."""
    datos = certificados.encuesta_por_token(token)
    if datos is None:
        return render(request, "capacitaciones/encuesta/no_valida.html", status=404)
    form = EncuestaForm(request.POST or None)
    contexto = {"datos": datos, "form": form}
    if request.method == "GET" or datos.respondida or not datos.disponible:
        status = 409 if request.method == "POST" else 200
        return render(request, "capacitaciones/encuesta/form.html", contexto, status=status)
    if not form.is_valid():
        return render(request, "capacitaciones/encuesta/form.html", contexto, status=400)
    try:
        services.encuesta_responder(token=token, **form.cleaned_data)
    except ErrorDeNegocio as exc:
        contexto["error"] = exc.mensaje
        return render(request, "capacitaciones/encuesta/form.html", contexto, status=_status(exc))
    messages.success(request, _("¡Gracias! Su respuesta quedó registrada."))
    return redirect("capacitaciones:encuesta", token=token)


def _puede_ver_resultados(user: Any, capacitacion: Capacitacion) -> bool:
    return services.puede_organizar(user, capacitacion) or getattr(user, "rol", "") in (Rol.REGIONAL, Rol.NACIONAL)


@login_required
@require_GET
def encuesta_resultados(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Survey results of a training (answers and averages): its organiser and the SERMIG staff
    who see it."""
    capacitacion = get_object_or_404(selectors.capacitaciones_visibles(usuario=request.user), uuid=uuid)
    if not _puede_ver_resultados(request.user, capacitacion):
        raise PermissionDenied
    return render(
        request,
        "capacitaciones/encuesta/resultados.html",
        {
            "capacitacion": capacitacion,
            "resultados": selectors.resultados_encuesta(capacitacion=capacitacion),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<uuid:uuid>/certificados/", certificados_lista, name="certificados"),
    path("<uuid:uuid>/certificados/emitir/", certificados_emitir, name="certificados_emitir"),
    path("certificados/<str:codigo>/pdf/", certificado_pdf, name="certificado_pdf"),
    path("certificados/<str:codigo>/revocar/", certificado_revocar, name="certificado_revocar"),
    path("encuesta/<str:token>/", encuesta, name="encuesta"),
    path("<uuid:uuid>/encuesta/resultados/", encuesta_resultados, name="encuesta_resultados"),
]
