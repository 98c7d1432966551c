"""Importers of the microdata: INE-SERMIG estimates, SERMIG residences and refugee applications.

Each row of the file becomes one row of its model (a tuple of values in the order of the
importer's ``campos``); when the import completes, its official figures are derived by GROUP BY
(``derivacion``).
"""

from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import ClassVar

from ..models import IndicadorOficial
from .base import Convertidas, Importador
from .derivacion import derivar_estimacion, derivar_refugio, derivar_residencias
from .lectura import (
    CODREGEO_IGNORADA,
    OTRAS_COMUNAS,
    ErrorDeImportacion,
    TablaComunas,
    entero,
    fecha_excel,
    normalizar,
)

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

    campos: ClassVar[tuple[str, ...]] = (
        "importacion_id",
        "anio",
        "sexo",
        "edad",
        "pais",
        "codregeo",
        "region_id",
        "comuna_id",
        "comuna_nombre",
        *NUMEROS_ESTIMACION,
    )
    por_comuna: bool = False
    regiones: dict[int, str] = field(default_factory=dict)
    comunas: TablaComunas | None = None

    def cerrar(self, importacion_id: int) -> None:
        self.cifras += derivar_estimacion(importacion_id, por_comuna=self.por_comuna)

    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> Convertidas:
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
                    return ()
        anio = entero(fila["AÑO ESTIMACION"], linea, "AÑO ESTIMACION")
        numeros = [entero(fila[col], linea, col) for col in NUMEROS_ESTIMACION.values()]
        self.filas += 1
        por_anio: dict[str, dict[str, int]] = self.totales.setdefault("por_anio", {})
        del_anio = por_anio.setdefault(str(anio), dict.fromkeys(NUMEROS_ESTIMACION, 0))
        for campo, valor in zip(NUMEROS_ESTIMACION, numeros, strict=True):
            del_anio[campo] += valor
        return (
            (
                importacion_id,
                anio,
                fila["SEXO"].strip()[:1],
                fila["EDAD"].strip(),
                fila["PAIS"].strip(),
                codregeo,
                self.regiones.get(codregeo),
                comuna_cut,
                comuna_nombre,
                *numeros,
            ),
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
    """SERMIG residence microdata (applications or grants), xlsx or CSV.

    The published microdata are those of definitive residence ("residencia definitiva"): their
    figures are ``indicador`` (``rd_solicitudes`` or ``rd_otorgadas``), and grants also give
    ``otorgadas_pais``.
    """

    campos: ClassVar[tuple[str, ...]] = (
        "importacion_id",
        "sexo",
        "pais",
        "nacimiento",
        "actividad",
        "profesion",
        "estudios",
        "comuna_id",
        "comuna_nombre",
        "tit_dep",
        "autoridad",
        "anio",
        "mes",
    )

    comunas: TablaComunas | None = None
    indicador: str = IndicadorOficial.RD_SOLICITUDES
    por_pais: bool = False

    def cerrar(self, importacion_id: int) -> None:
        self.cifras += derivar_residencias(importacion_id, indicador=self.indicador, por_pais=self.por_pais)

    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> Convertidas:
        assert self.comunas is not None
        comuna_nombre = fila["COMUNA"].strip()
        comuna_cut = self.comunas.buscar(comuna_nombre) if comuna_nombre else None
        if comuna_cut is None:
            self.no_reconocida(comuna_nombre or "(vacía)", linea)
            return ()
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
        return (
            (
                importacion_id,
                fila["SEXO"].strip(),
                fila["PAÍS"].strip(),
                nacimiento,
                fila["ACTIVIDAD"].strip()[:120],
                fila["PROFESIÓN"].strip()[:120],
                fila["ESTUDIOS"].strip()[:60],
                comuna_cut,
                comuna_nombre,
                fila["TIT_DEP"].strip()[:1],
                fila["AUTORIDAD"].strip()[:160],
                anio,
                mes,
            ),
        )


COLUMNAS_REFUGIO = ("SEXO", "PAÍS_DE_NACIONALIDAD", "RANGO_ETARIO", "AÑO")


@dataclass
class ImportadorRefugio(Importador):
    """SERMIG refugee statistics: one row per application."""

    campos: ClassVar[tuple[str, ...]] = ("importacion_id", "sexo", "pais", "rango_etario", "anio")

    def cerrar(self, importacion_id: int) -> None:
        self.cifras += derivar_refugio(importacion_id)

    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> Convertidas:
        anio = entero(fila["AÑO"], linea, "AÑO")
        self.filas += 1
        self._sumar(str(anio))
        return (
            (
                importacion_id,
                fila["SEXO"].strip(),
                fila["PAÍS_DE_NACIONALIDAD"].strip(),
                fila["RANGO_ETARIO"].strip(),
                anio,
            ),
        )
