"""Queries per request of every list page and list endpoint, at every scale (issue 7: constant).

Each list is requested once (after one untimed request) by people whose scope holds about 10
cases (the municipal officer of such a comuna), about 1,000 (another comuna's), a small región
and the Región Metropolitana (their regional officers) and the whole country (a national
officer): the same page must cost the same number of queries whatever the number of rows
behind it. A page a role may not open (403/404) is left out for that role. The figure of each
list is max ÷ min of its query counts (target 1.00); the table gives every count.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment

from ..base import Cifra, Opciones, Seccion
from . import datos, medicion

Url = str | Callable[[datos.Persona], str]


def _estadisticas(persona: datos.Persona) -> str:
    usuario = persona.usuario
    if usuario.municipalidad is not None:
        return f"/api/v1/estadisticas/?nivel=comuna&codigo={usuario.municipalidad.comuna_id}"
    if usuario.region_id:
        return f"/api/v1/estadisticas/?nivel=region&codigo={usuario.region_id}"
    return "/api/v1/estadisticas/?nivel=nacional"


PAGINAS: list[Url] = [
    "/casos/",
    "/casos/cola/",
    "/casos/accesos/",
    "/capacitaciones/",
    "/capacitaciones/operativos/",
    "/capacitaciones/practicas/",
    "/capacitaciones/practicas/mias/",
    "/capacitaciones/practicas/revision/",
    "/municipios/",
    "/sello/revision/",
    "/sello/notificaciones/",
    "/estadisticas/minutas/",
    "/estadisticas/importaciones/",
]
ENDPOINTS: list[Url] = [
    "/api/v1/casos/",
    "/api/v1/regiones/",
    "/api/v1/comunas/",
    "/api/v1/municipios/",
    "/api/v1/adhesiones/",
    "/api/v1/evidencias/",
    "/api/v1/capacitaciones/",
    "/api/v1/dispositivos/",
    "/api/v1/buenas-practicas/",
    "/api/v1/minutas/",
    _estadisticas,
]


@dataclass(frozen=True)
class Medida:
    consultas: int
    filas: tuple[int, ...] | None  # rows of each list behind the page (None: not a list)

    @property
    def vacia(self) -> bool:
        return self.filas is not None and min(self.filas, default=0) == 0


@dataclass
class Conteo:
    url: str
    por_persona: dict[str, Medida | str]  # or the status when refused
    por_nivel: bool = False  # compare within each role only (a place's aggregates)

    def grupos(self, personas: list[datos.Persona]) -> list[list[int]]:
        """The query counts to compare: every non-empty list (an empty one may skip fetching
        its rows), within each role when the request itself differs by role."""
        grupos: dict[str, list[int]] = {}
        for persona in personas:
            medida = self.por_persona[persona.etiqueta]
            if isinstance(medida, Medida) and not medida.vacia:
                grupos.setdefault(str(persona.usuario.rol) if self.por_nivel else "", []).append(medida.consultas)
        return [g for g in grupos.values() if g]

    def razon(self, personas: list[datos.Persona]) -> float | None:
        grupos = self.grupos(personas)
        return max(max(g) / min(g) for g in grupos) if grupos else None


def filas_de(respuesta: Any) -> tuple[int, ...] | None:
    """How many rows the lists behind a response have: the paginator's count of each page
    (a page may hold several lists), the length of an API page; None when it is no list."""
    if respuesta.get("Content-Type", "").startswith("application/json"):
        cuerpo = json.loads(respuesta.content)
        return (len(cuerpo["results"]),) if isinstance(cuerpo, dict) and "results" in cuerpo else None
    paginas = {
        id(valor): valor
        for contexto in respuesta.context or []
        for valores in contexto.dicts
        for valor in valores.values()
        if isinstance(valor, Page)
    }
    return tuple(int(p.paginator.count) for p in paginas.values()) or None


def contar(url: Url, api: bool, personas: list[datos.Persona]) -> Conteo:
    por_persona: dict[str, Medida | str] = {}
    nombre = url if isinstance(url, str) else url(personas[-1]).split("?")[0] + "?nivel=…"
    for persona in personas:
        ruta = url if isinstance(url, str) else url(persona)
        client = medicion.cliente(token=persona.token) if api else medicion.cliente(usuario=persona.usuario)
        client.get(ruta)  # warm: the session, caches of the process
        with CaptureQueriesContext(connection) as capturadas:
            respuesta = client.get(ruta)
        if respuesta.status_code == 200:
            por_persona[persona.etiqueta] = Medida(len(capturadas.captured_queries), filas_de(respuesta))
        else:
            por_persona[persona.etiqueta] = f"({respuesta.status_code})"
    return Conteo(url=nombre, por_persona=por_persona, por_nivel=not isinstance(url, str))


def celda(medida: Medida | str) -> str:
    if isinstance(medida, str):
        return medida
    if medida.filas is None:
        return str(medida.consultas)
    return f"{medida.consultas} ({' + '.join(f'{n:,}' for n in medida.filas)})"


def constante(razon: float | None) -> str:
    if razon is None:
        return "n/a"
    return "yes" if razon == 1.0 else "**no**"


def medir(opciones: Opciones) -> Seccion:
    hechos = datos.preparar_web()
    personas = datos.personas().todas()
    # The test client keeps the template context (to read each page's row count) only in
    # Django's test environment.
    setup_test_environment()
    registro = logging.getLogger("django.request")
    nivel, registro.level = registro.level, logging.ERROR  # the expected 403s, not worth a line each
    try:
        conteos = [contar(url, False, personas) for url in PAGINAS]
        conteos += [contar(url, True, personas) for url in ENDPOINTS]
    finally:
        registro.setLevel(nivel)
        teardown_test_environment()
    razones = {c.url: c.razon(personas) for c in conteos}
    cifras = [
        Cifra(f"queries per request, max ÷ min across scales: {url}", razon, 1.0)
        for url, razon in razones.items()
        if razon is not None
    ]
    cabecera = " | ".join(f"{p.etiqueta} ({p.casos:,} cases)" for p in personas)
    tabla = [
        f"| List | {cabecera} | constant |",
        "|---|" + "---:|" * len(personas) + "---|",
        *(
            f"| `{c.url}` | "
            + " | ".join(celda(c.por_persona[p.etiqueta]) for p in personas)
            + f" | {constante(razones[c.url])} |"
            for c in conteos
        ),
    ]
    return Seccion(
        titulo="Queries per request",
        cifras=cifras,
        absolutos=[(p.etiqueta, f"{p.casos:,} cases in scope") for p in personas],
        metodo=[
            "Each list page (logged-in session) and list endpoint (token) requested by five people whose scope "
            "holds from about 10 cases to the whole country; the SQL statements of one request are counted "
            "(after one warm-up request each). Each cell: queries (rows of the list behind the page: the "
            "paginator's count, or the API page's length). “(403)”/“(404)”: the role may not open that list. "
            "The figure compares the non-empty lists (an empty one may skip fetching its rows); the place "
            "aggregates (`/api/v1/estadisticas/`) are compared within each role, since each level looks up "
            "a different place. The national officer's unfiltered case list shows the planner's estimate of the "
            "table's rows as its total (`casos.selectors.total_estimado`), hence a figure near, not at, the count.",
            *([f"Data prepared: {', '.join(hechos)}."] if hechos else []),
        ],
        notas=tabla,
    )
