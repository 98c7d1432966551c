"""Readers of the official INE and SERMIG files, in their published formats.

Files are read row by row (``csv`` over a text wrapper, or openpyxl in read-only mode for
xlsx), so a file of millions of rows is imported in bounded memory. Each importer turns a row
into an unsaved model instance and accumulates the file's totals as it goes; the service
(``estadisticas.services``) inserts the instances in batches inside one transaction.

Comuna names are matched to the CUT through ``normalizar`` (accents, case, punctuation and
spaces ignored) against the names in the database plus the known variants of
``data/comunas_variantes.csv``. Rows whose comuna is not recognised are never silently
dropped: they are listed (name, number of rows, first line numbers) in the import's report
and, unless the import allows it explicitly, the import fails and nothing is written.
"""

import csv
import hashlib
import io
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import models

from municipios.models import Comuna, Region

from .models import EstimacionExtranjeros, Fuente, RefugioSermig, ResidenciaSermig

DATA_DIR = Path(__file__).resolve().parent / "data"
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


Filas = Iterator[tuple[int, dict[str, str]]]


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


# --- Importers -----------------------------------------------------------------------------


@dataclass
class Importador(ABC):
    """Turns rows into model instances and keeps the totals of what it converted."""

    modelo: type[models.Model]
    columnas: tuple[str, ...]
    filas: int = 0
    totales: dict[str, Any] = field(default_factory=dict)
    # normalised name → {"nombre", "filas", "lineas"}
    no_reconocidas: dict[str, dict[str, Any]] = field(default_factory=dict)

    def validar_encabezado(self, columnas: set[str]) -> None:
        faltan = [c for c in self.columnas if c not in columnas]
        if faltan:
            raise ErrorDeImportacion(
                "Al archivo le faltan columnas: "
                + ", ".join(faltan)
                + ". Revise que sea el archivo de la fuente elegida."
            )

    @abstractmethod
    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> models.Model | None:
        """The row to insert for one line of the file (None to skip it), or raise ErrorDeImportacion."""

    def no_reconocida(self, nombre: str, linea: int) -> None:
        registro = self.no_reconocidas.setdefault(normalizar(nombre), {"nombre": nombre, "filas": 0, "lineas": []})
        registro["filas"] += 1
        if len(registro["lineas"]) < MAX_LINEAS_POR_NOMBRE:
            registro["lineas"].append(linea)

    def _sumar(self, clave: str, cantidad: int = 1) -> None:
        por_anio: dict[str, int] = self.totales.setdefault("por_anio", {})
        por_anio[clave] = por_anio.get(clave, 0) + cantidad


COLUMNAS_ESTIMACION = (
    "SEXO",
    "EDAD",
    "PAIS",
    "AÑO ESTIMACION",
    "CODREGEO",
    "REGION",
    "CENSO AJUSTADO",
    "RRAA_REGULAR",
    "RRAA_IRREGULAR",
    "RRAA_TOTAL",
    "ESTIMACION",
)
NUMEROS_ESTIMACION = {
    "censo_ajustado": "CENSO AJUSTADO",
    "rraa_regular": "RRAA_REGULAR",
    "rraa_irregular": "RRAA_IRREGULAR",
    "rraa_total": "RRAA_TOTAL",
    "estimacion": "ESTIMACION",
}


@dataclass
class ImportadorEstimacion(Importador):
    """INE-SERMIG ``baseregiones.csv`` and, with ``por_comuna``, ``basecomunas.csv``."""

    por_comuna: bool = False
    regiones: dict[int, str] = field(default_factory=dict)
    comunas: TablaComunas | None = None

    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> models.Model | None:
        codregeo = entero(fila["CODREGEO"], linea, "CODREGEO")
        if codregeo != CODREGEO_IGNORADA and codregeo not in self.regiones:
            raise ErrorDeImportacion(f"Línea {linea}: CODREGEO {codregeo} no corresponde a ninguna región.")
        comuna_cut: str | None = None
        comuna_nombre = ""
        if self.por_comuna:
            assert self.comunas is not None
            comuna_nombre = fila["COMUNA"].strip()
            if normalizar(comuna_nombre) != OTRAS_COMUNAS:
                comuna_cut = self.comunas.buscar(comuna_nombre)
                if comuna_cut is None:
                    self.no_reconocida(comuna_nombre, linea)
                    return None
        anio = entero(fila["AÑO ESTIMACION"], linea, "AÑO ESTIMACION")
        numeros = {campo: entero(fila[col], linea, col) for campo, col in NUMEROS_ESTIMACION.items()}
        self.filas += 1
        por_anio: dict[str, dict[str, int]] = self.totales.setdefault("por_anio", {})
        del_anio = por_anio.setdefault(str(anio), dict.fromkeys(NUMEROS_ESTIMACION, 0))
        for campo, valor in numeros.items():
            del_anio[campo] += valor
        return EstimacionExtranjeros(
            importacion_id=importacion_id,
            anio=anio,
            sexo=fila["SEXO"].strip()[:1],
            edad=fila["EDAD"].strip(),
            pais=fila["PAIS"].strip(),
            codregeo=codregeo,
            region_id=self.regiones.get(codregeo),
            comuna_id=comuna_cut,
            comuna_nombre=comuna_nombre,
            **numeros,
        )


COLUMNAS_RESIDENCIA = (
    "SEXO",
    "PAÍS",
    "NACIMIENTO",
    "ACTIVIDAD",
    "PROFESIÓN",
    "ESTUDIOS",
    "COMUNA",
    "TIT_DEP",
    "AUTORIDAD",
    "AÑO",
    "MES",
)


@dataclass
class ImportadorResidencia(Importador):
    """SERMIG residence microdata (applications or grants), xlsx or CSV."""

    comunas: TablaComunas | None = None

    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> models.Model | None:
        assert self.comunas is not None
        comuna_nombre = fila["COMUNA"].strip()
        comuna_cut = self.comunas.buscar(comuna_nombre) if comuna_nombre else None
        if comuna_cut is None:
            self.no_reconocida(comuna_nombre or "(vacía)", linea)
            return None
        try:
            nacimiento = fecha_excel(fila["NACIMIENTO"])
        except (ValueError, InvalidOperation, OverflowError) as exc:
            raise ErrorDeImportacion(
                f"Línea {linea}: «NACIMIENTO» no es una fecha de Excel válida: «{fila['NACIMIENTO']}»."
            ) from exc
        anio = entero(fila["AÑO"], linea, "AÑO")
        mes = entero(fila["MES"], linea, "MES")
        if not 1 <= mes <= 12:
            raise ErrorDeImportacion(f"Línea {linea}: «MES» debe estar entre 1 y 12 («{fila['MES']}»).")
        self.filas += 1
        self._sumar(str(anio))
        return ResidenciaSermig(
            importacion_id=importacion_id,
            sexo=fila["SEXO"].strip(),
            pais=fila["PAÍS"].strip(),
            nacimiento=nacimiento,
            actividad=fila["ACTIVIDAD"].strip()[:120],
            profesion=fila["PROFESIÓN"].strip()[:120],
            estudios=fila["ESTUDIOS"].strip()[:60],
            comuna_id=comuna_cut,
            comuna_nombre=comuna_nombre,
            tit_dep=fila["TIT_DEP"].strip()[:1],
            autoridad=fila["AUTORIDAD"].strip()[:160],
            anio=anio,
            mes=mes,
        )


COLUMNAS_REFUGIO = ("SEXO", "PAÍS_DE_NACIONALIDAD", "RANGO_ETARIO", "AÑO")


@dataclass
class ImportadorRefugio(Importador):
    """SERMIG refugee statistics: one row per application."""

    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> models.Model | None:
        anio = entero(fila["AÑO"], linea, "AÑO")
        self.filas += 1
        self._sumar(str(anio))
        return RefugioSermig(
            importacion_id=importacion_id,
            sexo=fila["SEXO"].strip(),
            pais=fila["PAÍS_DE_NACIONALIDAD"].strip(),
            rango_etario=fila["RANGO_ETARIO"].strip(),
            anio=anio,
        )


def importador_para(fuente: str) -> Importador:
    """A fresh importer for a source (loads the territory tables it needs)."""
    if fuente == Fuente.INE_SERMIG_REGIONES:
        return ImportadorEstimacion(EstimacionExtranjeros, COLUMNAS_ESTIMACION, regiones=regiones_por_codregeo())
    if fuente == Fuente.INE_SERMIG_COMUNAS:
        return ImportadorEstimacion(
            EstimacionExtranjeros,
            (*COLUMNAS_ESTIMACION, "COMUNA"),
            por_comuna=True,
            regiones=regiones_por_codregeo(),
            comunas=TablaComunas(),
        )
    if fuente in (Fuente.SERMIG_RESIDENCIAS_SOLICITUDES, Fuente.SERMIG_RESIDENCIAS_OTORGADAS):
        return ImportadorResidencia(ResidenciaSermig, COLUMNAS_RESIDENCIA, comunas=TablaComunas())
    if fuente == Fuente.SERMIG_REFUGIO:
        return ImportadorRefugio(RefugioSermig, COLUMNAS_REFUGIO)
    raise ErrorDeImportacion(f"Fuente desconocida: «{fuente}».")
