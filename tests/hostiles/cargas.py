"""Hostile text: markup for pages and PDFs, resource probes for the PDF renderer, formulas for
spreadsheets."""

from django.utils.html import escape

# Resource probes for WeasyPrint: each would make a careless renderer read a local file, call
# the cloud metadata endpoint or embed a file in the PDF. Rendered as text, they are harmless.
SONDAS_PDF = {
    "script": "<script>alert(document.cookie)</script>",
    "img file://": '<img src="file:///etc/passwd">',
    "link stylesheet metadata": '<link rel=stylesheet href="http://169.254.169.254/latest/meta-data/">',
    "@import": "<style>@import url(http://169.254.169.254/);</style>",
    "adjunto file://": '<a rel="attachment" href="file:///etc/passwd">x</a>',
    "object data": '<object data="file:///etc/passwd"></object>',
    "css url()": '<p style="background:url(file:///etc/shadow)">x</p>',
    "iframe": '<iframe src="http://169.254.169.254/"></iframe>',
}
# Probes WeasyPrint does not load even when given raw (it runs no script, renders no iframe).
SIN_RECURSO = {"script", "iframe"}
# Local content that must never end up in a PDF (first line of /etc/passwd on Linux).
CONTENIDO_LOCAL = "root:x:0:0"

# Values a spreadsheet would evaluate (OWASP "CSV injection").
FORMULAS = [
    '=HYPERLINK("http://169.254.169.254/","ver")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]
INICIOS_PELIGROSOS = ("=", "+", "-", "@", "\t", "\r")


def xss(numero: int, max_length: int | None = None) -> str | None:
    """A payload tagged with ``numero`` that fits ``max_length`` (None when none fits); the
    quotes break out of an attribute if they are not escaped."""
    for carga in (f"'\"><script>alert({numero})</script>", f'"><b onclick=x>{numero}</b>', f"<i>{numero}</i>"):
        if max_length is None or len(carga) <= max_length:
            return carga
    return None


def escapada(carga: str) -> str:
    """How a payload shows in HTML rendered as text."""
    return str(escape(carga))
