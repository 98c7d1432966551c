"""Certificate PDFs (rendered by a task, or on first download) and the carta de compromiso."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .. import archivos
from ..models import Adhesion, Certificado, Decision, Linea
from ..pdf import qr_svg_data_uri, render_pdf


def url_verificacion(codigo: str) -> str:
    """The public verification URL printed (and QR-encoded) on the certificate."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('publico:verificar', kwargs={'codigo': codigo})}"


def certificado_pdf_generar(*, certificado_id: int, usuario: Any = None) -> Certificado:
    """Render and attach the certificate's PDF. Idempotent: a certificate with a PDF is left as is.

    The stored file is attributed to whoever recorded the committee's decision, or else to
    ``usuario`` (the person whose download triggered the rendering)."""
    certificado = Certificado.objects.select_related("adhesion__municipalidad").get(pk=certificado_id)
    if certificado.pdf_id is not None:
        return certificado
    url = url_verificacion(certificado.codigo)
    # Rendering takes a second or two: outside the transaction, so no row stays locked meanwhile.
    contenido = render_pdf(
        "pdf/sello/certificado.html", {"certificado": certificado, "url": url, "qr": qr_svg_data_uri(url)}
    )
    with transaction.atomic():
        bloqueado = Certificado.objects.select_for_update().get(pk=certificado.pk)
        if bloqueado.pdf_id is not None:  # another delivery of the task won the race
            return bloqueado
        bloqueado.pdf = archivos.guardar_generado(
            contenido=contenido,
            nombre=f"certificado-sello-{certificado.adhesion.municipalidad.comuna_id}-{bloqueado.emitido_en:%Y}.pdf",
            tipo="application/pdf",
            usuario=_autor(certificado.adhesion, usuario),
        )
        bloqueado.save(update_fields=["pdf"])
    return bloqueado


def _autor(adhesion: Adhesion, usuario: Any) -> Any:
    decision = (
        adhesion.decisiones.filter(decision=Decision.OTORGAR).select_related("registrada_por").order_by("ronda").last()
    )
    if decision is not None:
        return decision.registrada_por
    if usuario is None:
        raise ValueError(f"Certificate of adhesion {adhesion.pk} has no decision to attribute its PDF to.")
    return usuario


def carta_compromiso_pdf(*, adhesion: Adhesion) -> bytes:
    """The commitment letter, filled with the municipality's data, for the alcalde/sa to sign."""
    return render_pdf(
        "pdf/sello/carta_compromiso.html",
        {"adhesion": adhesion, "municipalidad": adhesion.municipalidad, "hoy": timezone.localdate(), "lineas": Linea},
    )
