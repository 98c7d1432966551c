"""The second-factor page: enrolment of a TOTP app (QR code, secret, confirmation, backup codes
shown once) or, once enrolled, verification of the session with a code."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from .cuenta_forms import CodigoForm
from .dosfactores import (
    codigo_verificar,
    espera_segundos,
    obligado,
    qr_svg,
    secreto_base32,
    totp_confirmar,
    totp_pendiente,
    verificado,
)


def _siguiente(request: HttpRequest) -> str:
    destino = request.POST.get("next") or request.GET.get("next") or ""
    if destino and url_has_allowed_host_and_scheme(
        destino, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return destino
    return reverse("home")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def dos_factores(request: HttpRequest) -> HttpResponse:
    siguiente = _siguiente(request)
    if verificado(request):
        return redirect(siguiente)
    if user_has_device(request.user):
        return _verificar(request, siguiente)
    return _enrolar(request, siguiente)


def _enrolar(request: HttpRequest, siguiente: str) -> HttpResponse:
    dispositivo = totp_pendiente(request.user)
    form = CodigoForm(
        request.POST or None, ayuda=_("Los 6 dígitos que muestra la aplicación después de agregar la cuenta.")
    )
    if request.method == "POST" and form.is_valid():
        codigos = totp_confirmar(request=request, dispositivo=dispositivo, codigo=form.cleaned_data["codigo"])
        if codigos is not None:
            return render(request, "cuenta/codigos.html", {"codigos": codigos, "siguiente": siguiente})
        form.add_error("codigo", _("El código no es correcto. Revise la hora del teléfono e intente de nuevo."))
    contexto = {
        "form": form,
        "siguiente": siguiente,
        "qr": qr_svg(dispositivo),
        "secreto": secreto_base32(dispositivo),
        "obligatorio": obligado(request.user),
    }
    return render(request, "cuenta/enrolar.html", contexto, status=400 if form.errors else 200)


def _verificar(request: HttpRequest, siguiente: str) -> HttpResponse:
    form = CodigoForm(
        request.POST or None,
        ayuda=_("Los 6 dígitos de la aplicación autenticadora, o uno de sus códigos de respaldo."),
    )
    if request.method == "POST" and form.is_valid():
        espera = espera_segundos(request.user, form.cleaned_data["codigo"])
        if espera:
            form.add_error(
                "codigo",
                ngettext(
                    "Demasiados códigos incorrectos. Espere %(s)d segundo e intente de nuevo.",
                    "Demasiados códigos incorrectos. Espere %(s)d segundos e intente de nuevo.",
                    espera,
                )
                % {"s": espera},
            )
        elif codigo_verificar(request=request, codigo=form.cleaned_data["codigo"]) is not None:
            return redirect(siguiente)
        else:
            form.add_error("codigo", _("El código no es correcto."))
    return render(
        request, "cuenta/verificar.html", {"form": form, "siguiente": siguiente}, status=400 if form.errors else 200
    )
