"""Reading the official files: encodings, separators, xlsx in read-only mode, cells, names.

Files are read row by row (``csv`` over a text wrapper, or openpyxl in read-only mode for
xlsx), so a file of millions of rows is read in bounded memory.
"""

import csv
import hashlib
import io
import unicodedata
from collections.abc import Generator
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from municipios.models import Comuna, Region

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
VARIANTES = DATA_DIR / "comunas_variantes.csv"
# CODREGEO 17 is INE's "Región ignorada": its rows are kept with no región.
CODREGEO_IGNORADA = 17
# Line numbers kept per unrecognised comuna name (the count is always exact).
MAX_LINEAS_POR_NOMBRE = 50
# Excel's 1900 date system counts 1900-02-29 (which did not exist): from serial 61 on,
# day 0 is 1899-12-30.
EPOCA_EXCEL = date(1899, 12, 30)


class ErrorDeImportacion(Exception):
    """The file cannot be imported; ``mensaje`` is shown to staff (Spanish)."""

    def __init__(self, mensaje: str, reporte: dict[str, Any] | None = None) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.reporte = reporte or {}


def sha256(archivo: IO[bytes]) -> str:
    """SHA-256 of a binary file, read in chunks; the file is rewound afterwards."""
    digest = hashlib.sha256()
    archivo.seek(0)
    for bloque in iter(lambda: archivo.read(1 << 20), b""):
        digest.update(bloque)
    archivo.seek(0)
    return digest.hexdigest()


def normalizar(nombre: str) -> str:
    """Key for matching names: no accents, lower case, only letters/digits and single spaces."""
    sin_tildes = "".join(c for c in unicodedata.normalize("NFKD", nombre) if not unicodedata.combining(c)).lower()
    limpio = "".join(c if c.isalnum() else " " for c in sin_tildes)
    return " ".join(limpio.split())


def fecha_excel(valor: str) -> date | None:
    """Date from an Excel serial (1900 system: 29221 → 1980-01-01) or an ISO date; '' → None."""
    valor = valor.strip()
    if not valor:
        return None
    if "-" in valor:
        return date.fromisoformat(valor[:10])
    return EPOCA_EXCEL + timedelta(days=int(Decimal(valor)))


def entero(valor: str, linea: int, columna: str) -> int:
    """Integer cell; empty means zero. Anything else (text, fractions, negatives) is an error."""
    valor = valor.strip()
    if not valor:
        return 0
    if valor.isascii() and valor.isdigit():
        return int(valor)  # the common case, without a Decimal (~6 cells a row, millions of rows)
    try:
        numero = Decimal(valor)
    except InvalidOperation:
        numero = Decimal("NaN")
    if not numero.is_finite() or numero != numero.to_integral_value() or numero < 0:
        raise ErrorDeImportacion(f"Línea {linea}: la columna «{columna}» tiene un valor no válido: «{valor}».")
    return int(numero)


# --- Readers --------------------------------------------------------------------------------


def _texto_de_celda(valor: object) -> str:
    if valor is None:
        return ""
    if isinstance(valor, datetime):
        return valor.date().isoformat()
    if isinstance(valor, date):
        return valor.isoformat()
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    return str(valor).strip()


def _encabezado(nombres: list[str]) -> list[str]:
    return [n.strip().lstrip("\ufeff").upper() for n in nombres]


Filas = Generator[tuple[int, dict[str, str]], None, None]


def _abrir_csv(archivo: IO[bytes]) -> tuple[list[str], Filas]:
    archivo.seek(0)
    primera = archivo.readline()
    archivo.seek(0)
    # Every official format has a non-ASCII header ("AÑO", "PAÍS"): if it decodes as UTF-8
    # the file is UTF-8, otherwise it is Latin-1 (INE's published encoding).
    try:
        primera.decode("utf-8")
        codificacion = "utf-8-sig"
    except UnicodeDecodeError:
        codificacion = "latin-1"
    cabecera = primera.decode(codificacion, errors="replace")
    separador = ";" if cabecera.count(";") > cabecera.count(",") else ","
    texto = io.TextIOWrapper(archivo, encoding=codificacion, newline="")
    lector = csv.reader(texto, delimiter=separador)
    try:
        nombres = _encabezado(next(lector, []))
    except UnicodeDecodeError as exc:
        texto.detach()
        raise ErrorDeImportacion(f"El archivo no tiene una codificación de texto reconocida ({exc}).") from exc
    if not nombres:
        texto.detach()
        raise ErrorDeImportacion("El archivo está vacío.")

    def filas() -> Filas:
        try:
            for numero, valores in enumerate(lector, start=2):
                if not any(v.strip() for v in valores):
                    continue
                if len(valores) != len(nombres):
                    raise ErrorDeImportacion(
                        f"Línea {numero}: tiene {len(valores)} columnas y el encabezado {len(nombres)}."
                    )
                yield numero, dict(zip(nombres, valores, strict=True))
        except UnicodeDecodeError as exc:
            raise ErrorDeImportacion(f"El archivo no tiene una codificación de texto reconocida ({exc}).") from exc
        finally:
            texto.detach()

    return nombres, filas()


def _abrir_xlsx(archivo: IO[bytes]) -> tuple[list[str], Filas]:
    from openpyxl import load_workbook

    archivo.seek(0)
    try:
        libro = load_workbook(archivo, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise ErrorDeImportacion(f"No se pudo leer el archivo Excel: {exc}") from exc
    hoja = libro.worksheets[0]
    valores_filas = hoja.iter_rows(values_only=True)
    nombres = _encabezado([_texto_de_celda(v) for v in next(valores_filas, ())])
    if not any(nombres):
        libro.close()
        raise ErrorDeImportacion("El archivo está vacío.")

    def filas() -> Filas:
        try:
            for numero, valores in enumerate(valores_filas, start=2):
                textos = [_texto_de_celda(v) for v in valores]
                if not any(textos):
                    continue
                textos = (textos + [""] * len(nombres))[: len(nombres)]
                yield numero, dict(zip(nombres, textos, strict=True))
        finally:
            libro.close()

    return nombres, filas()


def abrir(archivo: IO[bytes], nombre: str) -> tuple[list[str], Filas]:
    """The header (column names upper-cased) and an iterator of (line number, {COLUMN: text})
    over the non-empty data rows, read lazily."""
    if nombre.lower().endswith((".xlsx", ".xlsm")):
        return _abrir_xlsx(archivo)
    return _abrir_csv(archivo)


# --- Territory ----------------------------------------------------------------------------


OTRAS_COMUNAS = "otras comunas"


class TablaComunas:
    """Comuna names (normalised) → CUT, from the database plus the known variants."""

    def __init__(self) -> None:
        self.por_nombre: dict[str, str] = {normalizar(n): cut for cut, n in Comuna.objects.values_list("cut", "nombre")}
        with VARIANTES.open(encoding="utf-8", newline="") as f:
            for fila in csv.DictReader(f):
                self.por_nombre[normalizar(fila["variante"])] = fila["cut"]

    def buscar(self, nombre: str) -> str | None:
        return self.por_nombre.get(normalizar(nombre))


def regiones_por_codregeo() -> dict[int, str]:
    """INE's CODREGEO (north-to-south order) → región CUT."""
    return dict(Region.objects.values_list("orden_norte_sur", "cut"))
