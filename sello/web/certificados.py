"""Download of a certificate's PDF for the people who may see its municipality."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from municipios.scoping import get_scoped_or_404

from ..models import Certificado
from ..services import certificados as certificados_services


@login_required
@require_GET
def certificado_pdf(request: HttpRequest, codigo: str) -> FileResponse:
    """The certificate PDF as an attachment; rendered now if the task has not done it yet."""
    certificado = get_scoped_or_404(request.user, Certificado.objects.select_related("pdf"), codigo=codigo)
    if certificado.pdf is None:
        certificado = certificados_services.certificado_pdf_generar(certificado_id=certificado.pk, usuario=request.user)
    archivo = certificado.pdf
    assert archivo is not None  # certificado_pdf_generar always attaches it
    response = FileResponse(
        archivo.archivo.open("rb"),
        as_attachment=True,
        filename=archivo.nombre_original,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("certificados/<str:codigo>/pdf/", certificado_pdf, name="certificado_pdf"),
]
