"""The capacity note of ``docs/benchmarks.md``: what the machine of the run serves, how that
grows with data and how to scale out, written from the figures measured in the same run.

Only measured numbers go in; what is derived from them (machines for a peak hour, the
semester's minutas) says the assumption it rests on.
"""

import math

from .base import Capacidad, Seccion

# The peak hour the note sizes for: every municipality's officers and every regional team at
# work at once, each making one request every ``SEGUNDOS_ENTRE_PETICIONES`` seconds.
MUNICIPALIDADES = 346
FUNCIONARIOS_POR_MUNICIPALIDAD = 5
EQUIPOS_REGIONALES = 16 * 4
SEGUNDOS_ENTRE_PETICIONES = 20
# The weight of each page in that hour's traffic (officers mostly work in their case lists).
MEZCLA = {
    "pagina:lista_casos": 0.35,
    "pagina:municipal": 0.25,
    "pagina:publica": 0.15,
    "pagina:tablero_regional": 0.10,
    "pagina:tablero_nacional": 0.05,
    "api": 0.10,
}


def _medidas(secciones: list[Seccion]) -> dict[str, Capacidad]:
    return {c.clave: c for s in secciones for c in s.capacidad}


def _cifra(secciones: list[Seccion], titulo: str, contiene: str) -> float | None:
    for seccion in secciones:
        if seccion.titulo == titulo:
            for cifra in seccion.cifras:
                if contiene in cifra.nombre:
                    return cifra.medido
    return None


def mezcla_rps(medidas: dict[str, Capacidad]) -> float | None:
    """Requests per second of the peak hour's mix: the weighted harmonic mean of the pages'
    (each request costs 1/rps of the machine); None when a page was not measured."""
    apis = [c.valor for clave, c in medidas.items() if clave.startswith("api:")]
    tasas = {clave: c.valor for clave, c in medidas.items() if clave.startswith("pagina:")}
    if apis:
        tasas["api"] = min(apis)
    if not set(MEZCLA) <= tasas.keys():
        return None
    return 1 / sum(peso / tasas[clave] for clave, peso in MEZCLA.items())


def nota(secciones: list[Seccion]) -> list[str]:
    """The Markdown lines of the capacity note (empty when the load was not measured)."""
    medidas = _medidas(secciones)
    if not any(c.unidad == "req/s" for c in medidas.values()):
        return []
    lineas = [
        "## Capacity",
        "",
        "What the machine above serves (one machine holds gunicorn with its production settings, PostgreSQL, "
        "Redis and the load generator, as a one-machine deployment would, minus the load generator), measured "
        "in this run:",
        "",
        "| Measured | |",
        "|---|---:|",
    ]
    for medida in medidas.values():
        formato = f"{medida.valor:,.0f}" if medida.valor >= 10 else f"{medida.valor:.1f}"
        lineas.append(f"| {medida.nombre} | {formato} {medida.unidad} |")
    lineas.append("")

    usuarios = MUNICIPALIDADES * FUNCIONARIOS_POR_MUNICIPALIDAD + EQUIPOS_REGIONALES
    pico = usuarios / SEGUNDOS_ENTRE_PETICIONES
    mezcla = mezcla_rps(medidas)
    if mezcla is not None:
        pesos = ", ".join(f"{clave.split(':')[-1]} {100 * peso:.0f} %" for clave, peso in MEZCLA.items())
        lineas += [
            f"**A peak hour.** If every municipality had {FUNCIONARIOS_POR_MUNICIPALIDAD} officers and "
            f"{EQUIPOS_REGIONALES} SERMIG staff were at work at the same time ({usuarios:,} people), each making a "
            f"request every {SEGUNDOS_ENTRE_PETICIONES} s, the platform would receive {pico:.0f} requests per second. "
            f"With the measured rates mixed as {pesos}, one machine serves {mezcla:.0f} requests per second: "
            f"{math.ceil(pico / mezcla)} such machine(s) for the web, or one at {100 * pico / mezcla:.0f} % of its "
            "capacity. Real use is far below that peak (officers do not all work in the same minute).",
            "",
        ]
    memoria = medidas.get("memoria_worker")
    if memoria is not None:
        lineas += [
            f"**Memory.** A gunicorn worker holds {memoria.valor:.0f} MiB after the load; the five workers of this "
            f"machine {5 * memoria.valor:,.0f} MiB. Memory is not what limits a web machine: its cores are.",
            "",
        ]
    por_hora = medidas.get("minutas_hora")
    if por_hora is not None:
        horas = MUNICIPALIDADES / por_hora.valor
        lineas += [
            f"**Minutas.** One Celery process generates {por_hora.valor:,.0f} minutas per hour: the semester's "
            f"{MUNICIPALIDADES} minutas take {60 * horas:.1f} minutes on one process, about half with the two "
            "processes of a 2-core worker machine. Each minuta is independent (jobs are claimed with "
            "`SKIP LOCKED`), so this divides by the number of worker processes.",
            "",
        ]

    crecimiento = []
    profundidad = _cifra(secciones, "Case list API", "at row")
    if profundidad is not None:
        crecimiento.append(
            f"the case list at row 100,000 costs {profundidad:.2f}x its first page (keyset pagination, no "
            "`OFFSET`, no exact `COUNT(*)`), so a municipality's history does not slow its officers down"
        )
    consultas = [
        c.medido for s in secciones if s.titulo == "Queries per request" for c in s.cifras if "queries" in c.nombre
    ]
    if consultas:
        crecimiento.append(
            f"every list page and endpoint issues the same number of queries at 10, 1,000 and 1,000,000 rows "
            f"(max ÷ min {max(consultas):.2f}x)"
        )
    tablero = _cifra(secciones, "Dashboards", "national dashboard (")
    if tablero is not None:
        crecimiento.append(
            f"the national dashboard reads only the summary tables, whose size follows comunas x months x "
            f"indicators, not cases ({tablero:.2f}x the bare view with a million cases)"
        )
    if crecimiento:
        lineas += ["**Growth with data.** Measured on a million cases: " + "; ".join(crecimiento) + ".", ""]

    lineas += [
        "**Scaling out.** The web processes keep no state of their own (sessions in PostgreSQL, cache and "
        "queue in Redis), so more gunicorn machines go behind the TLS proxy, each with 2 x cores + 1 workers. "
        "Celery workers on other machines consume the same Redis queues; minutas and imports go to them. "
        "Each process opens at most its psycopg pool's connections: keep (web workers + Celery processes) x "
        "pool size below PostgreSQL's `max_connections`, or put PgBouncer in front. Dashboards, minutas and "
        "the statistics API read only the summary tables and the official figures, so a PostgreSQL read "
        "replica can serve them (a database router sending those reads to it; not built yet). The summary "
        "refresh is one transaction per hour on the primary. The figures above are of a machine that also "
        "runs the load generator; the load average in the load section says how busy it was.",
        "",
    ]
    return lineas
