"""All the minutas of a period ÷ WeasyPrint alone on the same HTML (issue 7: ≤ 1.25x).

(a) the real path: one job row per comuna, then ``estadisticas.minutas.minuta_generar`` for
each, in this process, sharing the period's case table as a batch worker does (its first,
cold computation is counted once); every job must come back ``generada``. (b) the floor:
for the same comunas, the minuta's HTML is built beforehand, outside the timer, and only
``weasyprint.HTML(...).write_pdf()`` is timed. A second figure re-runs (a) with nothing
changed: every job must come back ``sin_cambios``.

Order, to be fair to both: three untimed warm-up renders, then the comunas in a shuffled
order (fixed seed), each measured as a pair, back to back — floor then real for one comuna,
real then floor for the next — so the load of a shared machine at any moment weighs on both
sides alike, and neither always runs second (warm caches). Times are wall-clock; the process
CPU time is given too (it leaves out PostgreSQL's work, and is steadier on a busy machine).
"""

import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from weasyprint import HTML

from estadisticas import selectors as s
from estadisticas.minuta_datos import VERSION_PLANTILLA, datos_minuta
from estadisticas.minutas import contexto_pdf, minuta_generar
from estadisticas.models import Minuta
from estadisticas.periodos import Periodo
from municipios.models import Comuna
from sello.pdf import FetcherSeguro, render_html

from .base import Capacidad, Cifra, Opciones, Seccion, memoria_pico_mb

PLANTILLA = "pdf/estadisticas/minuta.html"
META_MINUTAS = 1.25
# Set here, not by issue 7: a skipped minuta pays only for its data, a small part of a render.
META_SIN_CAMBIOS = 0.25
SEMILLA_ORDEN = 7
CALENTAMIENTO = 3
PROGRESO = 50


@dataclass
class Tiempos:
    """Wall-clock and process CPU seconds of each comuna."""

    reloj: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def medir(self, cut: str, paso: Callable[[], object]) -> None:
        reloj, cpu = time.perf_counter(), time.process_time()
        paso()
        self.cpu[cut] = time.process_time() - cpu
        self.reloj[cut] = time.perf_counter() - reloj

    @property
    def total(self) -> float:
        return sum(self.reloj.values())

    @property
    def total_cpu(self) -> float:
        return sum(self.cpu.values())

    def ms(self) -> str:
        valores = sorted(self.reloj.values())
        if not valores:
            return "—"
        p95 = valores[round(0.95 * (len(valores) - 1))]
        return (
            f"mean {1000 * statistics.fmean(valores):.0f} · median {1000 * statistics.median(valores):.0f} "
            f"· p95 {1000 * p95:.0f}"
        )


def elegir_comunas(n: int | None) -> list[Comuna]:
    """All comunas, or ``n`` of them spread across the country (fixed seed)."""
    comunas = list(Comuna.objects.select_related("region").order_by("cut"))
    if n is not None and n < len(comunas):
        muestra = random.Random(n).sample(comunas, n)  # noqa: S311 - a reproducible sample
        comunas = sorted(muestra, key=lambda c: c.cut)
    return comunas


def _limpiar(periodo: Periodo, cuts: list[str]) -> None:
    """Remove this period's jobs and files so every minuta really renders."""
    minutas = Minuta.objects.filter(periodo=periodo.codigo, version_plantilla=VERSION_PLANTILLA, comuna_id__in=cuts)
    for minuta in minutas.exclude(archivo=""):
        if minuta.archivo.name:
            minuta.archivo.storage.delete(minuta.archivo.name)
    minutas.delete()


def _crear_jobs(periodo: Periodo, cuts: list[str]) -> dict[str, int]:
    """The job rows, as ``minutas_programar`` creates them (without queueing: we run them here)."""
    Minuta.objects.bulk_create(
        [Minuta(comuna_id=cut, periodo=periodo.codigo, version_plantilla=VERSION_PLANTILLA) for cut in cuts],
        ignore_conflicts=True,
    )
    filas = Minuta.objects.filter(periodo=periodo.codigo, version_plantilla=VERSION_PLANTILLA, comuna_id__in=cuts)
    return dict(filas.values_list("comuna_id", "pk"))


def _pdf(html: str) -> bytes:
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=FetcherSeguro()).write_pdf()
    return pdf


def _renderizar(html: str, tamanos: list[int]) -> Callable[[], None]:
    def paso() -> None:
        tamanos.append(len(_pdf(html)))

    return paso


def _generar(minuta_id: int, tabla: s.TablaCasos, esperado: str) -> Callable[[], str]:
    def paso() -> str:
        resultado = minuta_generar(minuta_id=minuta_id, tabla=tabla)
        if resultado != esperado:
            raise RuntimeError(f"minuta {minuta_id}: {resultado}, se esperaba {esperado}")
        return resultado

    return paso


def _comprobar(ids: dict[str, int]) -> None:
    listas = Minuta.objects.filter(pk__in=ids.values(), estado=Minuta.Estado.LISTA).exclude(archivo="")
    if listas.count() != len(ids):
        raise RuntimeError(f"{len(ids) - listas.count()} minutas no quedaron listas")


def _html_previo(
    comunas: list[Comuna], periodo: Periodo, tabla: s.TablaCasos
) -> tuple[dict[str, str], tuple[float, float, float]]:
    """The floor's input, built outside every timer: each comuna's HTML, and the seconds spent
    on data, charts and template (a cold first pass: the breakdown of the real path's extra)."""
    html: dict[str, str] = {}
    desglose = [0.0, 0.0, 0.0]
    for comuna in comunas:
        t0 = time.perf_counter()
        datos = datos_minuta(comuna, periodo, tabla)
        t1 = time.perf_counter()
        contexto = contexto_pdf(datos)
        t2 = time.perf_counter()
        html[comuna.cut] = render_html(PLANTILLA, contexto)
        t3 = time.perf_counter()
        for i, segundos in enumerate((t1 - t0, t2 - t1, t3 - t2)):
            desglose[i] += segundos
    return html, (desglose[0], desglose[1], desglose[2])


def medir(opciones: Opciones) -> Seccion:
    """Measure (a), (b) and the re-run; see the module docstring for the method."""
    periodo = opciones.periodo
    comunas = elegir_comunas(opciones.comunas)
    cuts = [c.cut for c in comunas]
    n = len(cuts)
    carga_inicial = os.getloadavg()[0]
    _limpiar(periodo, cuts)

    # The case table a batch shares; its first computation in this process is cold.
    inicio = time.perf_counter()
    tabla = s.tabla_casos(periodo)
    t_tabla = time.perf_counter() - inicio

    html, (t_datos, t_graficos, t_plantilla) = _html_previo(comunas, periodo, tabla)
    ids = _crear_jobs(periodo, cuts)
    memoria_antes = memoria_pico_mb()

    for cut in cuts[:CALENTAMIENTO]:  # fonts and WeasyPrint's caches load on the first renders
        _pdf(html[cut])
    orden = cuts[:]
    random.Random(SEMILLA_ORDEN).shuffle(orden)  # noqa: S311 - a reproducible order
    piso, real, sin_cambios = Tiempos(), Tiempos(), Tiempos()
    tamanos: list[int] = []
    gc.collect()
    for i, cut in enumerate(orden):
        pasos: list[tuple[Tiempos, Callable[[], object]]] = [
            (piso, _renderizar(html[cut], tamanos)),
            (real, _generar(ids[cut], tabla, "generada")),
        ]
        for tiempos, paso in pasos if i % 2 == 0 else reversed(pasos):
            tiempos.medir(cut, paso)
        if (i + 1) % PROGRESO == 0:
            print(f"bench: minutas {i + 1}/{n}", file=sys.stderr, flush=True)
    _comprobar(ids)
    for cut in orden:
        sin_cambios.medir(cut, _generar(ids[cut], tabla, "sin_cambios"))

    total_real = t_tabla + real.total
    cifras = [
        Cifra(
            f"{n} minutas generated ÷ {n} bare WeasyPrint renders of the same HTML",
            total_real / piso.total,
            META_MINUTAS,
        ),
        Cifra(
            f"{n} minutas re-run with no change (skipped) ÷ the same {n} bare renders",
            sin_cambios.total / piso.total,
            META_SIN_CAMBIOS,
            origen_meta="set here",
        ),
    ]
    pares = [real.reloj[c] / piso.reloj[c] for c in orden]
    absolutos = [
        ("Period", periodo.codigo),
        ("Minutas", str(n)),
        ("(a) generate all, total", f"{total_real:.1f} s"),
        ("(a) of which the shared case table (once, cold)", f"{1000 * t_tabla:.0f} ms"),
        ("(a) per minuta, ms", real.ms()),
        ("(b) WeasyPrint alone, total", f"{piso.total:.1f} s"),
        ("(b) per minuta, ms", piso.ms()),
        ("What the real path adds per minuta: ((a) - (b)) / n", f"{1000 * (total_real - piso.total) / n:.0f} ms"),
        ("(a) ÷ (b), median of the per-comuna pairs", f"{statistics.median(pares):.2f}x"),
        ("(a) ÷ (b) in process CPU time", f"{real.total_cpu / piso.total_cpu:.2f}x"),
        ("Re-run with no change, total", f"{sin_cambios.total:.2f} s"),
        ("Re-run with no change, per minuta, ms", sin_cambios.ms()),
        ("Minutas per hour (one process)", f"{3600 * n / total_real:,.0f}"),
        ("Cold first pass, untimed: data (`datos_minuta`) per minuta", f"{1000 * t_datos / n:.1f} ms"),
        ("Cold first pass, untimed: charts (`contexto_pdf`) per minuta", f"{1000 * t_graficos / n:.1f} ms"),
        ("Cold first pass, untimed: template (`render_html`) per minuta", f"{1000 * t_plantilla / n:.1f} ms"),
        ("HTML size, mean", f"{sum(map(len, html.values())) / n / 1024:.0f} KiB"),
        ("PDF size, mean", f"{sum(tamanos) / n / 1024:.0f} KiB"),
        ("Peak RSS before measuring (holds the precomputed HTML)", f"{memoria_antes:.0f} MiB"),
        ("Peak RSS of the process at the end", f"{memoria_pico_mb():.0f} MiB"),
        ("Peak RSS growth per PDF rendered (both sides)", f"{(memoria_pico_mb() - memoria_antes) / (2 * n):.2f} MiB"),
        ("Load average (1 min) at start / end", f"{carga_inicial:.1f} / {os.getloadavg()[0]:.1f}"),
    ]
    metodo = [" ".join(parrafo.split()) for parrafo in (__doc__ or "").split("\n\n")[1:]]
    capacidad = [
        Capacidad("minutas_hora", "Minutas generated per hour, one process", 3600 * n / total_real, "per hour"),
        Capacidad("minutas_memoria", "Minuta process, peak resident memory", memoria_pico_mb(), "MiB"),
    ]
    return Seccion(titulo="Minutas", cifras=cifras, absolutos=absolutos, metodo=metodo, capacidad=capacidad)
