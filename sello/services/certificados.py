"""Certificate PDFs (rendered by a task) and the carta de compromiso."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import archivos
from ..models import Adhesion, Certificado, Linea
from ..pdf import qr_svg_data_uri, render_pdf


def url_verificacion(codigo: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/verificar/{codigo}/"


def certificado_pdf_generar(*, certificado_id: int) -> Certificado:
    """Render and attach the certificate's PDF. Idempotent: a certificate with a PDF is left as is."""
    certificado = Certificado.objects.select_related("adhesion__municipalidad__comuna__region").get(pk=certificado_id)
    if certificado.pdf_id is not None:
        return certificado
    url = url_verificacion(certificado.codigo)
    contenido = render_pdf(
        "pdf/sello/certificado.html", {"certificado": certificado, "url": url, "qr": qr_svg_data_uri(url)}
    )
    with transaction.atomic():
        bloqueado = Certificado.objects.select_for_update().get(pk=certificado.pk)
        if bloqueado.pdf_id is not None:  # another delivery of the task won the race
            return bloqueado
        sistema = bloqueado.adhesion.transiciones.filter(hasta="certificada").values_list("usuario", flat=True).last()
        bloqueado.pdf = archivos.guardar_generado(
            contenido=contenido,
            nombre=f"certificado-sello-{bloqueado.adhesion.municipalidad.comuna_id}-{bloqueado.emitido_en:%Y}.pdf",
            tipo="application/pdf",
            usuario=_usuario(sistema),
        )
        bloqueado.save(update_fields=["pdf"])
    return bloqueado


def _usuario(pk: Any) -> Any:
    from municipios.models import Usuario

    return Usuario.objects.get(pk=pk)


def carta_compromiso_pdf(*, adhesion: Adhesion) -> bytes:
    """The commitment letter, filled with the municipality's data, for the alcalde/sa to sign."""
    return render_pdf(
        "pdf/sello/carta_compromiso.html",
        {"adhesion": adhesion, "municipalidad": adhesion.municipalidad, "hoy": timezone.localdate(), "lineas": Linea},
    )
