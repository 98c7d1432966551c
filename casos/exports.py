"""Exports of the case list a user can see, as CSV and XLSX (PRODUCT.md §4).

What is exported: the rows of ``selectors.casos_visibles`` filtered by ``CasoFilter`` -
exactly the list the user sees - with the person's name ALWAYS masked for sensitive cases
(an export leaves the platform: nobody "opened" the case) and the document number masked
for every case. The free-text description and the conversation are never exported
(minimum necessary data).

Spreadsheet formula injection: every cell is text, and a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so that Excel, LibreOffice
or Google Sheets show it as text instead of evaluating it (OWASP "CSV injection"). The same
neutralised values go to both formats; in the XLSX every cell is also typed as a string,
never a formula.

CSV dialect: UTF-8 with a byte order mark (Excel then detects the encoding and shows
"Ñuñoa" correctly), ``;`` as separator - the list separator of Excel in the es-CL locale,
where ``,`` is the decimal mark, so a double click opens the file in columns - and CRLF line
ends. The CSV is streamed row by row; both formats read the cases with one query
(``iterator(chunk_size=...)`` over a ``select_related`` queryset), whatever their number.
"""

import csv
from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .models import SUBTIPOS, Caso, EstadoCaso
from .selectors import documento_visible, nombre_visible

SEPARADOR = ";"
CHUNK = 500
PELIGROSOS = ("=", "+", "-", "@", "\t", "\r")
ESTADOS_CON_PLAZO = (EstadoCaso.DERIVADO, EstadoCaso.EN_GESTION)
ETIQUETAS_SUBTIPO = {(tipo, codigo): nombre for tipo, subtipos in SUBTIPOS.items() for codigo, nombre in subtipos}


def neutralizar(valor: str) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading ``'``."""
    return f"'{valor}" if valor.startswith(PELIGROSOS) else valor


def esta_vencido(caso: Caso, ahora: datetime) -> bool:
    """Overdue: marked by the periodic task, or past its deadline since its last run. The
    same condition as the list's "vencido" filter (``selectors.filtrar_vencidos``)."""
    return caso.vencido or (caso.plazo is not None and caso.plazo < ahora and caso.estado in ESTADOS_CON_PLAZO)


def _fecha(valor: datetime | None) -> str:
    return timezone.localtime(valor).strftime("%Y-%m-%d %H:%M") if valor else ""


def _si_no(valor: bool) -> str:
    return _("Sí") if valor else _("No")


def encabezados() -> list[str]:
    return [
        _("Folio"),
        _("Comuna"),
        _("Tipo"),
        _("Subtipo"),
        _("Prioridad"),
        _("Estado"),
        _("Fecha de derivación"),
        _("Plazo de respuesta"),
        _("Vencido"),
        _("Asignado a"),
        _("Persona"),
        _("Nacionalidad"),
        _("NNA"),
        _("Documento"),
        _("N° de solicitud SERMIG"),
    ]


def fila(caso: Caso, ahora: datetime) -> list[str]:
    """One case as text cells (not yet neutralised)."""
    persona = caso.persona
    asignado = caso.asignado_a
    return [
        caso.folio,
        caso.comuna.nombre,
        caso.get_tipo_display(),
        ETIQUETAS_SUBTIPO.get((caso.tipo, caso.subtipo), caso.subtipo),
        caso.get_prioridad_display(),
        caso.get_estado_display(),
        _fecha(caso.derivado_en),
        _fecha(caso.plazo),
        _si_no(esta_vencido(caso, ahora)),
        (asignado.get_full_name() or asignado.username) if asignado else "",
        nombre_visible(caso),  # never revealed in an export
        str(countries.name(str(persona.nacionalidad))) if persona.nacionalidad else "",
        _si_no(persona.es_nna),
        documento_visible(caso),
        caso.numero_solicitud_sermig,
    ]


def filas(casos: QuerySet[Caso]) -> Iterator[list[str]]:
    """Header and rows, neutralised. ``casos`` must be scoped and ``select_related`` (one query)."""
    ahora = timezone.now()
    yield [neutralizar(v) for v in encabezados()]
    for caso in casos.iterator(chunk_size=CHUNK):
        yield [neutralizar(v) for v in fila(caso, ahora)]


class _Eco:
    """A file-like object whose ``write`` returns the line: csv.writer without a buffer."""

    def write(self, valor: str) -> str:
        return valor


def csv_lineas(casos: QuerySet[Caso]) -> Iterator[str]:
    """The CSV file, line by line, for a ``StreamingHttpResponse``."""
    writer: Any = csv.writer(_Eco(), delimiter=SEPARADOR, lineterminator="\r\n")
    yield "\ufeff"  # BOM: Excel reads the file as UTF-8
    for valores in filas(casos):
        yield writer.writerow(valores)


def _celda(hoja: Any, valor: str) -> Any:
    if not valor:
        return None  # an empty cell
    celda = WriteOnlyCell(hoja, value=valor)
    celda.data_type = "s"  # text, even if a value looked like a formula
    return celda


def xlsx_bytes(casos: QuerySet[Caso]) -> bytes:
    """The XLSX workbook (one sheet "Casos"), built in memory with openpyxl's write-only mode."""
    libro = Workbook(write_only=True)
    hoja = libro.create_sheet(title=_("Casos"))
    for valores in filas(casos):
        hoja.append([_celda(hoja, v) for v in valores])
    salida = BytesIO()
    libro.save(salida)
    return salida.getvalue()
