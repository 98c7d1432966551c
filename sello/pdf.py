"""The one PDF render helper: template -> HTML -> WeasyPrint.

The URL fetcher refuses everything but ``data:`` URIs, so a value typed by a user can never
make the renderer read local files (``file:///etc/passwd``) or reach the network. PDF
templates carry their CSS inline and embed images (QR codes, charts) as data URIs.
"""

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class RecursoBloqueado(ValueError):
    pass


class FetcherSeguro(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith("data:"):
            raise RecursoBloqueado(f"Blocked resource in PDF: {url[:80]}")
        response: URLFetcherResponse = super().fetch(url, headers)
        return response


def render_html(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, context)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes."""
    html = render_html(template, context)
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=FetcherSeguro()).write_pdf()
    return pdf


def qr_svg_data_uri(texto: str) -> str:
    """A QR code of ``texto`` as an SVG data: URI (embeds in the PDF without fetching)."""
    import segno

    return str(segno.make(texto, error="m").svg_data_uri(scale=4, border=2))
