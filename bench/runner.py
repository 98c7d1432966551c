"""Runs the benchmarks in one process and writes the report.

A benchmark is a module with ``medir(opciones) -> Seccion``; add it to ``BENCHMARKS``.
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from django.conf import settings

from . import auditoria, carga, datos, importacion, informe, minutas
from .base import Opciones, Seccion
from .web import consultas, listas, tableros

BENCHMARKS: list[tuple[str, Callable[[Opciones], Seccion]]] = [
    ("minutas", minutas.medir),
    ("casos_api", listas.medir),
    ("tableros", tableros.medir),
    ("consultas", consultas.medir),
    ("importacion", importacion.medir),
    ("auditoria", auditoria.medir),
    ("carga", carga.medir),
]
INFORME = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"


def ejecutar(
    *,
    comunas: int | None = None,
    salida: Path | None = INFORME,
    solo: list[str] | None = None,
    preparar: bool = True,
    consola: TextIO = sys.stdout,
) -> list[Seccion]:
    """Prepare the data (once, reused when present), run each benchmark, print every ratio
    with its target and write the Markdown report to ``salida`` (None: no file)."""
    periodo = datos.periodo_bench()
    if preparar:
        for hecho in datos.preparar(periodo=periodo):
            print(f"bench: prepared {hecho}", file=consola)
    secciones = []
    for nombre, medir in BENCHMARKS:
        if solo and nombre not in solo:
            continue
        print(f"bench: running {nombre}…", file=consola, flush=True)
        secciones.append(medir(Opciones(periodo=periodo, comunas=comunas)))
    print(informe.consola(secciones), file=consola)
    if salida is not None:
        salida.parent.mkdir(parents=True, exist_ok=True)
        texto = informe.markdown(secciones, informe.maquina(), datos=datos.descripcion(periodo))
        salida.write_text(texto, encoding="utf-8")
        print(f"bench: wrote {salida}", file=consola)
    return secciones
