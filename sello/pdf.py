"""The one PDF render helper: template -> HTML -> WeasyPrint.

The URL fetcher refuses everything but ``data:`` URIs, so a value typed by a user can never
make the renderer read local files (``file:///etc/passwd``) or reach the network. PDF
templates carry their CSS inline and embed images (QR codes, charts) as data URIs.

A render has a time limit: in a Celery task, the task's soft time limit; in a request, the
``SELLO_PDF_TIEMPO_MAXIMO`` seconds (below gunicorn's 30 s worker timeout, which would kill the
worker and leave the user a proxy error). Either way it ends in ``RenderAgotado``, which the
tasks record and ``sello.fallas`` turns into a 503 page.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from celery import current_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Seconds a PDF may take to render while a request waits for it.
TIEMPO_MAXIMO_DEFECTO = 20


class RecursoBloqueado(ValueError):
    pass


class RenderAgotado(Exception):
    """The render went past its time limit; nothing was produced."""

    def __init__(self, mensaje: str | None = None) -> None:
        super().__init__(mensaje or _("La generación del PDF superó el tiempo máximo permitido."))


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


@contextmanager
def limite_de_tiempo(segundos: float) -> Iterator[None]:
    """Raise ``RenderAgotado`` in the block after ``segundos`` (SIGALRM). Only where a signal
    can be used safely: the main thread, no other alarm pending, SIGALRM not handled by
    anyone else; elsewhere (e.g. a threaded server) the block runs without a limit."""
    libre = (
        segundos > 0
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN)
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not libre:
        yield
        return

    def agotado(signum: int, frame: FrameType | None) -> None:
        raise RenderAgotado

    anterior = signal.signal(signal.SIGALRM, agotado)
    signal.setitimer(signal.ITIMER_REAL, segundos)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, anterior)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes; ``RenderAgotado`` past the time limit
    (the task's soft limit inside Celery, ``SELLO_PDF_TIEMPO_MAXIMO`` in a request)."""
    html = render_html(template, context)
    documento = HTML(string=html, base_url=None, url_fetcher=FetcherSeguro())
    # Inside a task Celery enforces the limit itself (SoftTimeLimitExceeded).
    segundos = 0 if current_task else float(getattr(settings, "SELLO_PDF_TIEMPO_MAXIMO", TIEMPO_MAXIMO_DEFECTO))
    try:
        with limite_de_tiempo(segundos):
            pdf: bytes = documento.write_pdf()
    except SoftTimeLimitExceeded as exc:
        raise RenderAgotado from exc
    return pdf


def qr_svg_data_uri(texto: str) -> str:
    """A QR code of ``texto`` as an SVG data: URI (embeds in the PDF without fetching)."""
    import segno

    return str(segno.make(texto, error="m").svg_data_uri(scale=4, border=2))
