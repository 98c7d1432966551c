"""The importer interface the service drives: header check, row conversion, closing step."""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models

from .copia import Fila
from .lectura import ErrorDeImportacion, normalizar

# Line numbers kept per unrecognised comuna name (the count is always exact).
MAX_LINEAS_POR_NOMBRE = 50

Convertidas = Sequence[Fila]


@dataclass
class Importador(ABC):
    """Turns a file's lines into rows of ``modelo`` and keeps the totals of what it converted.

    A row is a tuple of database values in the order of ``campos`` (no model instance: an
    official file has hundreds of thousands of rows). The service inserts what ``convertir``
    returns in batches (``copia.copiar``), then calls ``cerrar`` in the same transaction
    (checks against the file's own totals, figures derived by GROUP BY).
    """

    # The fields of ``modelo`` (attnames) that a converted row fills, in order.
    campos: ClassVar[tuple[str, ...]]

    modelo: type[models.Model]
    columnas: tuple[str, ...]
    filas: int = 0
    # ``CifraOficial`` rows written by this import (converted or derived).
    cifras: int = 0
    totales: dict[str, Any] = field(default_factory=dict)
    # Added to the import's report (e.g. the "Región ignorada" row of a summary file).
    reporte: dict[str, Any] = field(default_factory=dict)
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
    def convertir(self, importacion_id: int, linea: int, fila: dict[str, str]) -> Convertidas:
        """The rows to insert for one line of the file (none to skip it), or raise ErrorDeImportacion."""

    def cerrar(self, importacion_id: int) -> None:  # noqa: B027 (optional hook, empty by default)
        """Called after every row is inserted, inside the import's transaction."""

    def no_reconocida(self, nombre: str, linea: int) -> None:
        registro = self.no_reconocidas.setdefault(normalizar(nombre), {"nombre": nombre, "filas": 0, "lineas": []})
        registro["filas"] += 1
        if len(registro["lineas"]) < MAX_LINEAS_POR_NOMBRE:
            registro["lineas"].append(linea)

    def _sumar(self, clave: str, cantidad: int = 1) -> None:
        por_anio: dict[str, int] = self.totales.setdefault("por_anio", {})
        por_anio[clave] = por_anio.get(clave, 0) + cantidad
