"""The regional and national dashboards ÷ the bare view (issue 7: ≤ 5x, steady state).

Both dashboards read the summary tables and the period's suppressed case table, which is
computed once per summary refresh (``estadisticas.selectors.tabla_casos``). Two states:
steady (everything computed) — the figure with the target — and cold: the first request after
a refresh. A refresh is simulated by recording a new finished ``Actualizacion`` (the key
everything per refresh is computed under) without recomputing the summaries, so only the
dashboards' own work on the first request is timed; each cold request is paired with a
request of the bare view right after it. The simulated refreshes are deleted at the end.
"""

import time

from django.utils import timezone

from estadisticas.models import Actualizacion

from ..base import Cifra, Opciones, Seccion
from . import datos, medicion
from .listas import PISO

META = 5.0
# Set here, not by issue 7: the first request after a refresh (hourly) pays once per worker for
# the period's suppressed table: about half a second against a floor of a few milliseconds.
META_FRIO = 100.0
TABLEROS = (("regional", "/estadisticas/region/{rm}/"), ("national", "/estadisticas/nacional/"))


def repeticiones(opciones: Opciones) -> tuple[int, int, int]:
    """(timed rounds, warm-up rounds, cold requests) — fewer on a quick run."""
    return (10, 2, 2) if opciones.comunas else (200, 10, 10)


def _frio(
    get: medicion.Callable[[], bytes], piso: medicion.Callable[[], bytes], n: int
) -> tuple[list[float], list[float]]:
    frios, pisos = [], []
    for _vuelta in range(n):
        ahora = timezone.now()
        Actualizacion.objects.create(iniciada_en=ahora, terminada_en=ahora, filas=0)
        inicio = time.perf_counter()
        get()
        frios.append(time.perf_counter() - inicio)
        inicio = time.perf_counter()
        piso()
        pisos.append(time.perf_counter() - inicio)
    return frios, pisos


def medir(opciones: Opciones) -> Seccion:
    hechos = datos.preparar_web()
    personas = datos.personas()
    n, calentamiento, n_frio = repeticiones(opciones)
    piso = medicion.peticion(medicion.cliente(), PISO)
    lados: dict[str, medicion.Callable[[], bytes]] = {"piso": piso}
    for nombre, url in TABLEROS:
        persona = personas.regional if nombre == "regional" else personas.nacional
        lados[nombre] = medicion.peticion(medicion.cliente(usuario=persona.usuario), url.format(rm=datos.RM))
    simuladas_desde = timezone.now()
    try:
        series = medicion.intercalar(lados, n=n, calentamiento=calentamiento)
        frios = {nombre: _frio(lados[nombre], piso, n_frio) for nombre, _url in TABLEROS}
    finally:
        Actualizacion.objects.filter(filas=0, iniciada_en__gte=simuladas_desde).delete()
    cifras, absolutos = [], [("bare view", series["piso"].texto())]
    for nombre, url in TABLEROS:
        cifras.append(
            Cifra(
                f"{nombre} dashboard ({url.format(rm=datos.RM)}) ÷ bare view, steady state",
                series[nombre].mediana / series["piso"].mediana,
                META,
            )
        )
        tiempos_frios, tiempos_piso = frios[nombre]
        frio, piso_frio = medicion.Serie(nombre, tiempos_frios), medicion.Serie("piso", tiempos_piso)
        cifras.append(
            Cifra(
                f"{nombre} dashboard, first request after a summary refresh ÷ bare view",
                frio.mediana / piso_frio.mediana,
                META_FRIO,
                origen_meta="set here",
            )
        )
        absolutos += [
            (f"{nombre} dashboard, steady", series[nombre].texto()),
            (f"{nombre} dashboard, cold", frio.texto()),
        ]
    return Seccion(
        titulo="Dashboards",
        cifras=cifras,
        absolutos=absolutos,
        metodo=[
            f"In-process through Django's whole stack, logged-in sessions (the RM's regional officer, a national "
            f"officer), {personas.nacional.casos:,} cases summarised. Steady state: {n} timed rounds after "
            f"{calentamiento} warm-up rounds, each requesting the bare view and both dashboards in a rotated order; "
            f"ratios of medians. Cold: {n_frio} simulated summary refreshes per dashboard, each followed by one "
            "dashboard request and one bare-view request.",
            *([f"Data prepared: {', '.join(hechos)}."] if hechos else []),
        ],
    )
