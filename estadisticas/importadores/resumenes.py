"""Importers of the reference *summary* files: one line per región or comuna, one column per
indicator and year. They write official figures (``CifraOficial``) directly.

- ``extranjeros_estimados_ine_sermig_regiones.csv``: INE's CODREGEO (north-to-south order)
  with its ``region_cut``, which must agree with the CODREGEO mapping of the database;
  ``est_YYYY`` → ``extranjeros``, ``rraa_irregular_YYYY`` → ``extranjeros_irregulares``. The
  column ``est_2023_release2024`` is a *later* release (2024) stored as year 2023 of this same
  import; the report says so (``notas``). The "Región ignorada" line (CODREGEO 17) has no
  región: it is not a figure of its own but is listed in the report, and it is part of the
  country's figure, which comes from the "TOTAL PAÍS" line. Regions + ignorada must add up to
  that total, or the import fails; where the ignorada cell is empty (2023) the difference is
  reported as ``sin_region``.
- ``extranjeros_estimados_ine_sermig_comunas.csv`` (comunas with ≥ 10,000 foreigners) and
  ``residencias_sermig_comunas_2023.csv``: comuna CUT (the región is set too, and checked
  against the file's ``region_cut``); the top-3 column ("Venezuela (110128), Perú (44118), …")
  gives ``extranjeros_pais`` for its year, or ``otorgadas_pais`` for the temporary grants.
  Their totals are sums of the comunas in the file, not national figures.

An empty cell is no figure (a zero is a figure). An unknown CUT or CODREGEO is reported like an
unknown comuna name: listed with its lines, and the import fails unless allowed.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from ..models import IndicadorOficial
from .base import Convertidas, Importador
from .copia import Fila, copiar
from .lectura import CODREGEO_IGNORADA, ErrorDeImportacion, entero

# A column of figures: (indicator, year, note about its release or "").
Columna = tuple[str, int, str]
ClaveCifra = tuple[str, int]

RE_ESTIMACION = re.compile(r"^EST_(\d{4})(?:_RELEASE(\d{4}))?$")
RE_IRREGULARES = re.compile(r"^RRAA_IRREGULAR_(\d{4})$")
RE_RESIDENCIAS = re.compile(r"^(RT|RD)_(SOLICITUDES|OTORGADAS)_(\d{4})$")
RE_PAISES_ANIO = re.compile(r"^TOP3_PAISES_(\d{4})$")
COLUMNA_PAISES_RT = "TOP3_PAISES_RT_OTORGADAS"
# "Venezuela (110128)" followed by a comma or the end.
RE_PAIS = re.compile(r"\s*([^,()]+?)\s*\(\s*(\d+)\s*\)\s*(?:,|$)")


def columna_extranjeros(nombre: str) -> Columna | None:
    if m := RE_ESTIMACION.match(nombre):
        nota = f"La columna «{nombre}» es de una publicación posterior ({m[2]})." if m[2] else ""
        return IndicadorOficial.EXTRANJEROS, int(m[1]), nota
    if m := RE_IRREGULARES.match(nombre):
        return IndicadorOficial.EXTRANJEROS_IRREGULARES, int(m[1]), ""
    return None


def columna_residencias(nombre: str) -> Columna | None:
    if m := RE_RESIDENCIAS.match(nombre):
        return f"{m[1]}_{m[2]}".lower(), int(m[3]), ""
    return None


def paises_extranjeros(nombre: str, anios: set[int]) -> ClaveCifra | None:
    if m := RE_PAISES_ANIO.match(nombre):
        return IndicadorOficial.EXTRANJEROS_PAIS, int(m[1])
    return None


def paises_residencias(nombre: str, anios: set[int]) -> ClaveCifra | None:
    # The column names no year: it is the year of the file's other columns.
    if nombre == COLUMNA_PAISES_RT and len(anios) == 1:
        return IndicadorOficial.OTORGADAS_PAIS, next(iter(anios))
    return None


def paises(texto: str, linea: int, columna: str) -> list[tuple[str, int]]:
    """``"Venezuela (110128), Perú (44118)"`` → ``[("Venezuela", 110128), ("Perú", 44118)]``."""
    resultado, posicion, texto = [], 0, texto.strip()
    while posicion < len(texto):
        m = RE_PAIS.match(texto, posicion)
        if m is None:
            raise ErrorDeImportacion(
                f"Línea {linea}: la columna «{columna}» no tiene la forma «País (número), …»: «{texto}»."
            )
        resultado.append((m[1], int(m[2])))
        posicion = m.end()
    return resultado


@dataclass
class ImportadorResumen(Importador):
    """Common part: the columns of figures, resolved from the header. Rows are ``CifraOficial``."""

    campos: ClassVar[tuple[str, ...]] = (
        "importacion_id",
        "indicador",
        "anio",
        "valor",
        "region_id",
        "comuna_id",
        "categoria",
    )

    leer_columna: Callable[[str], Columna | None] = columna_extranjeros
    leer_paises: Callable[[str, set[int]], ClaveCifra | None] | None = None
    cifra_de: dict[str, ClaveCifra] = field(default_factory=dict)
    paises_de: tuple[str, ClaveCifra] | None = None

    def validar_encabezado(self, columnas: set[str]) -> None:
        super().validar_encabezado(columnas)
        for nombre in sorted(columnas):
            if (leida := self.leer_columna(nombre)) is None:
                continue
            indicador, anio, nota = leida
            if (indicador, anio) in self.cifra_de.values():
                raise ErrorDeImportacion(f"Dos columnas traen {indicador} {anio}; deje solo una.")
            self.cifra_de[nombre] = (indicador, anio)
            if nota:
                self.reporte.setdefault("notas", []).append(nota)
        if not self.cifra_de:
            raise ErrorDeImportacion(
                "El archivo no trae columnas de cifras reconocidas. Revise que sea el archivo de la fuente elegida."
            )
        anios = {anio for _, anio in self.cifra_de.values()}
        for nombre in sorted(columnas):
            if self.leer_paises is not None and (clave := self.leer_paises(nombre, anios)) is not None:
                self.paises_de = (nombre, clave)

    def valores(self, linea: int, fila: dict[str, str]) -> dict[ClaveCifra, int]:
        return {clave: entero(fila[col], linea, col) for col, clave in self.cifra_de.items() if fila[col].strip()}

    def cifra(
        self,
        importacion_id: int,
        clave: ClaveCifra,
        valor: int,
        *,
        region_id: str | None,
        comuna_id: str | None,
        categoria: str = "",
    ) -> Fila:
        self.cifras += 1
        indicador, anio = clave
        return (importacion_id, str(indicador), anio, valor, region_id, comuna_id, categoria)

    def sumar(self, clave: ClaveCifra, valor: int) -> None:
        por_indicador: dict[str, dict[str, int]] = self.totales.setdefault("por_indicador", {})
        del_indicador = por_indicador.setdefault(clave[0], {})
        del_indicador[str(clave[1])] = del_indicador.get(str(clave[1]), 0) + valor


@dataclass
class ImportadorResumenRegiones(ImportadorResumen):
    """``extranjeros_estimados_ine_sermig_regiones.csv``: regions and the country."""

    regiones: dict[int, str] = field(default_factory=dict)
    suma: dict[ClaveCifra, int] = field(default_factory=lambda: defaultdict(int))
    ignorada: dict[ClaveCifra, int] = field(default_factory=dict)
    total: dict[ClaveCifra, int] | None = None

    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> Convertidas:
        valores = self.valores(linea, fila)
        texto = fila["CODREGEO_INE"].strip()
        if not texto:  # the "TOTAL PAÍS" line
            if self.total is not None:
                raise ErrorDeImportacion(f"Línea {linea}: hay más de una línea de total país.")
            self.total = valores
            self.filas += 1
            return [self.cifra(importacion_id, c, v, region_id=None, comuna_id=None) for c, v in valores.items()]
        codregeo = entero(texto, linea, "CODREGEO_INE")
        if codregeo == CODREGEO_IGNORADA:
            self.ignorada = valores
            self.filas += 1
            self.reporte["region_ignorada"] = {
                "linea": linea,
                "valores": {f"{ind} {anio}": v for (ind, anio), v in sorted(valores.items())},
            }
            return ()
        # Unrecognised lines count too: the check is of the file against its own total.
        for clave, v in valores.items():
            self.suma[clave] += v
        cut = fila["REGION_CUT"].strip()
        if codregeo not in self.regiones or cut not in self.regiones.values():
            self.no_reconocida(f"CODREGEO {codregeo}, región «{cut}»", linea)
            return ()
        if self.regiones[codregeo] != cut:
            raise ErrorDeImportacion(
                f"Línea {linea}: CODREGEO {codregeo} corresponde a la región {self.regiones[codregeo]}, "
                f"pero el archivo indica «{cut}»."
            )
        self.filas += 1
        return [self.cifra(importacion_id, clave, v, region_id=cut, comuna_id=None) for clave, v in valores.items()]

    def cerrar(self, importacion_id: int) -> None:
        """Check regions + ignorada against the total line; figures the file has no total for
        are written as that sum."""
        total = self.total or {}
        sin_region: dict[str, int] = {}
        nuevas = []
        for clave in sorted(self.suma.keys() | total.keys()):
            suma = self.suma.get(clave, 0) + self.ignorada.get(clave, 0)
            if clave not in total:
                nuevas.append(self.cifra(importacion_id, clave, suma, region_id=None, comuna_id=None))
                self.sumar(clave, suma)
                continue
            self.sumar(clave, total[clave])
            if (clave in self.ignorada and suma != total[clave]) or suma > total[clave]:
                raise ErrorDeImportacion(
                    f"{clave[0]} {clave[1]}: la suma de las regiones y la «Región ignorada» ({suma}) "
                    f"no coincide con el total país del archivo ({total[clave]})."
                )
            if suma < total[clave]:
                sin_region[f"{clave[0]} {clave[1]}"] = total[clave] - suma
        if sin_region:
            self.reporte["sin_region"] = sin_region
        copiar(self.modelo, self.campos, nuevas)


@dataclass
class ImportadorResumenComunas(ImportadorResumen):
    """A summary by comuna CUT (estimates of the large comunas, or residences 2023)."""

    # comuna CUT → región CUT
    comunas: dict[str, str] = field(default_factory=dict)

    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> Convertidas:
        cut = fila["CUT"].strip()
        if len(cut) == 4 and cut.isdigit():
            cut = cut.zfill(5)  # a spreadsheet dropped the leading zero
        region = self.comunas.get(cut)
        if region is None:
            self.no_reconocida(f"CUT {cut} {fila.get('COMUNA', '').strip()}".strip(), linea)
            return ()
        if fila["REGION_CUT"].strip() and fila["REGION_CUT"].strip().zfill(2) != region:
            raise ErrorDeImportacion(
                f"Línea {linea}: la comuna {cut} es de la región {region}, "
                f"pero el archivo indica «{fila['REGION_CUT'].strip()}»."
            )
        cifras = []
        for clave, v in self.valores(linea, fila).items():
            self.sumar(clave, v)
            cifras.append(self.cifra(importacion_id, clave, v, region_id=region, comuna_id=cut))
        if self.paises_de is not None:
            columna, clave = self.paises_de
            for pais, v in paises(fila[columna], linea, columna):
                cifras.append(self.cifra(importacion_id, clave, v, region_id=region, comuna_id=cut, categoria=pais))
        self.filas += 1
        return cifras
