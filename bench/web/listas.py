"""The case list API against its floor, and deep in its cursor (issue 7).

(1) ``GET /api/v1/casos/`` (50 rows, token, scoped, serialised) ÷ the bare raw-SQL view of
the same 50 rows (``bench.web.piso``), for a national officer (the whole table) and for the
regional officer of the Región Metropolitana: target ≤ 3x. (2) The same list at depth 100,000
÷ at page 1: the cursor of the page starting at row 100,000 is computed directly with the
API's own encoding (DRF's ``CursorPagination``: a position on ``creado_en`` plus an offset
among equal positions), so the deep request is exactly what a client following ``next``
2,000 times would send; target ≤ 1.5x. The deep request's SQL is captured and checked: a
keyset condition on ``creado_en``, no large OFFSET and no COUNT(*).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.db.models import QuerySet
from rest_framework.pagination import Cursor

from casos.models import Caso
from casos.selectors import casos_visibles
from sello.api.pagination import CursorPagination

from ..base import Cifra, Opciones, Seccion
from . import datos, medicion

URL = "/api/v1/casos/"
PISO = "/bench/piso/casos/"
PROFUNDIDAD = 100_000
META_PISO = 3.0
META_PROFUNDIDAD = 1.5
ORDEN = ("-creado_en", "-pk")


def repeticiones(opciones: Opciones) -> tuple[int, int]:
    """(timed rounds, warm-up rounds): fewer on a quick run (``--comunas``)."""
    return (20, 3) if opciones.comunas else (200, 20)


def cursor_en(qs: QuerySet[Caso], fila: int) -> str:
    """The API's ``cursor`` value of the page whose first row is ``qs[fila]`` (ordered like
    the API), built the way DRF builds its ``next`` links."""
    ordenado = qs.order_by(*ORDEN)
    objetivo_en, objetivo_pk = ordenado.values_list("creado_en", "pk")[fila]
    # DRF filters ``creado_en < position`` and skips ``offset`` rows that share the first row's
    # position: the position is the nearest greater timestamp, the offset the ties before it.
    posicion = (
        ordenado.filter(creado_en__gt=objetivo_en)
        .order_by("creado_en", "pk")
        .values_list("creado_en", flat=True)
        .first()
    )
    empates = ordenado.filter(creado_en=objetivo_en, pk__gt=objetivo_pk).count()
    paginador = CursorPagination()
    paginador.base_url = "http://localhost" + URL
    if posicion is None:
        cursor = Cursor(offset=fila, reverse=False, position=None)
    else:
        # DRF keeps the position as the text of the timestamp (its stubs say int).
        cursor = Cursor(offset=empates, reverse=False, position=str(posicion))  # type: ignore[arg-type]
    return parse_qs(urlsplit(paginador.encode_cursor(cursor)).query)["cursor"][0]


@dataclass
class Revision:
    """What the deep request's SQL shows."""

    sql: str
    offset: int
    keyset: bool
    counts: int

    @property
    def correcta(self) -> bool:
        return self.keyset and self.offset <= CursorPagination.offset_cutoff and self.counts == 0


def revisar(consultas: list[str]) -> Revision:
    principal = next(q for q in consultas if 'FROM "casos_caso"' in q)
    offset = re.search(r"OFFSET (\d+)", principal)
    return Revision(
        sql=principal,
        offset=int(offset.group(1)) if offset else 0,
        keyset=bool(re.search(r'"casos_caso"\."creado_en" < ', principal)),
        counts=sum("COUNT(" in q.upper() for q in consultas),
    )


def _uuids(contenido: bytes) -> list[str]:
    import json

    return [fila["uuid"] for fila in json.loads(contenido)["results"]]


def medir(opciones: Opciones) -> Seccion:
    hechos = datos.preparar_web()
    personas = datos.personas()
    n, calentamiento = repeticiones(opciones)
    cifras: list[Cifra] = []
    absolutos: list[tuple[str, str]] = []
    notas: list[str] = [f"Data prepared: {', '.join(hechos)}."] if hechos else []
    for persona, filtro in ((personas.nacional, ""), (personas.regional, f"?region={datos.RM}")):
        api = medicion.peticion(medicion.cliente(token=persona.token), URL)
        piso = medicion.peticion(medicion.cliente(), PISO + filtro)
        if _uuids(api()) != _uuids(piso()):
            raise RuntimeError(f"{persona.etiqueta}: the floor does not return the API's rows")
        visibles = casos_visibles(usuario=persona.usuario)
        fila = min(PROFUNDIDAD, persona.casos - 50)
        cursor = cursor_en(visibles, fila)
        profunda = medicion.peticion(medicion.cliente(token=persona.token), f"{URL}?cursor={cursor}")
        esperada = str(visibles.order_by(*ORDEN).values_list("uuid", flat=True)[fila])
        if _uuids(profunda())[0] != esperada:
            raise RuntimeError(f"{persona.etiqueta}: the computed cursor does not start at row {fila:,}")
        revision = revisar(medicion.consultas(profunda))
        series = medicion.intercalar({"piso": piso, "api": api, "profunda": profunda}, n=n, calentamiento=calentamiento)
        quien = f"{persona.etiqueta}, {persona.casos:,} cases in scope"
        cifras.append(
            Cifra(
                f"case list API ÷ bare raw-SQL view ({quien})",
                series["api"].mediana / series["piso"].mediana,
                META_PISO,
            )
        )
        cifras.append(
            Cifra(
                f"case list API at row {fila:,} ÷ page 1 ({quien})",
                series["profunda"].mediana / series["api"].mediana,
                META_PROFUNDIDAD,
            )
        )
        absolutos += [
            (f"{persona.etiqueta}: bare view", series["piso"].texto()),
            (f"{persona.etiqueta}: API page 1", series["api"].texto()),
            (f"{persona.etiqueta}: API at row {fila:,}", series["profunda"].texto()),
        ]
        notas.append(
            f"- {persona.etiqueta}, deep page SQL: keyset on `creado_en`: "
            f"{'yes' if revision.keyset else '**no**'}; OFFSET {revision.offset}; COUNT queries: {revision.counts}"
            f" — {'as required' if revision.correcta else '**not as required**'}."
        )
    return Seccion(
        titulo="Case list API",
        cifras=cifras,
        absolutos=absolutos,
        metodo=[
            f"In-process through Django's whole stack (`django.test.Client`, `bench.settings`: DEBUG off), "
            f"{n} timed rounds after {calentamiento} warm-up rounds; each round requests, in a rotated order, "
            "the bare view, the API's page 1 and the API's deep page; ratios of medians of wall-clock time. "
            "The bare view (`bench/web/piso.py`) runs one raw SQL query for the same 50 rows and columns "
            "(checked: same UUIDs in the same order) and returns them with `JsonResponse`. The deep page's "
            "cursor is computed with the API's own encoding (checked: it starts at the expected row).",
        ],
        notas=notas,
    )
