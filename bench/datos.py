"""The benchmark data, prepared once and reused when present.

The demo loaders of each app (the same calls as ``seed_demo``, which refuses to run with
DEBUG off), the official reference figures (``estadisticas.demo.cargar_oficiales``) and the
national volume data of ``seed_volume`` (``bench.volumen``: a million cases over the 346
comunas by default, ``BENCH_CASOS=N`` for another size), whose summary tables are refreshed
the ordinary way (``resumenes_refrescar``) at the end of the seed.
"""

import os
import sys
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from capacitaciones.models import Capacitacion, DispositivoTerritorial
from casos.models import Caso, Persona
from estadisticas.models import CifraOficial, Importacion, ResumenMensual, ResumenSello
from estadisticas.periodos import Periodo
from estadisticas.resumenes import resumenes_refrescar
from municipios.models import Comuna, Usuario
from sello.models import Adhesion

from . import volumen
from .volumen.copia import Consola

CASOS = 1_000_000


def casos_bench() -> int:
    """How many cases the benchmarks run on: ``BENCH_CASOS`` or a million."""
    return int(os.environ.get("BENCH_CASOS") or CASOS)


def periodo_bench(hoy: date | None = None) -> Periodo:
    """The period measured: the current semester (the demo's cases and the seal snapshot of
    the refresh belong to it)."""
    return Periodo.de_fecha(hoy or timezone.localdate())


def sembrar_resumenes(*, periodo: Periodo, hoy: date | None = None, cuts: Iterable[str] | None = None) -> int:
    """Platform figures for a small run (the bench smoke test): volume data at a tiny size
    (300 cases, refreshed into the summaries the ordinary way) unless volume data is there;
    returns the summary rows of ``periodo`` for ``cuts`` (all comunas when None)."""
    volumen.asegurar(casos_n=300, hoy=hoy)
    filas = ResumenMensual.objects.filter(anio=periodo.anio, mes__in=[m for _a, m in periodo.meses])
    if cuts is not None:
        filas = filas.filter(comuna_id__in=list(cuts))
    return filas.count() + ResumenSello.objects.count()


def _sembrar_demo() -> None:
    from capacitaciones.demo import sembrar_capacitaciones
    from casos.demo import sembrar_casos
    from municipios.demo import sembrar_territorio
    from sello.demo import sembrar_sello

    with transaction.atomic():
        usuarios = {u.username: u for u in sembrar_territorio()}
        sembrar_sello(usuarios)
        sembrar_casos(usuarios)
        sembrar_capacitaciones(usuarios)


def preparar(
    *,
    periodo: Periodo,
    demo: bool = True,
    oficiales: bool = True,
    casos: int | None = None,
    consola: Consola | None = sys.stderr,
) -> list[str]:
    """Make sure the data is there, doing only the missing steps; returns what was done.
    ``casos``: the volume (default :func:`casos_bench`); volume data of another size is
    replaced (only the volume rows: ``seed_volume --reset``)."""
    hechos = []
    if demo and not Usuario.objects.filter(username="nacional").exists():
        _sembrar_demo()
        hechos.append("demo data (seed_demo loaders)")
    if oficiales:
        from estadisticas.demo import cargar_oficiales

        # Idempotent: imports only the files not yet completed.
        if nuevas := cargar_oficiales():
            hechos.append(f"official reference figures ({len(nuevas)} imports)")
    objetivo = casos if casos is not None else casos_bench()
    volumen.verificar_entorno(forzar=False, reset=False)
    resultado = volumen.asegurar(casos_n=objetivo, reemplazar=True, consola=consola)
    if resultado.sembrado:
        hechos.append(f"volume data: {objetivo:,} cases and the rest in proportion ({resultado.segundos:.0f} s)")
        if consola is not None:
            consola.write("\n".join(["bench: seed_volume, per table:", *resultado.tiempos]) + "\n")
    elif "demo data (seed_demo loaders)" in hechos:
        resumenes_refrescar()
        hechos.append("summary refresh")
    return hechos


def descripcion(periodo: Periodo) -> list[str]:
    """What the data measured is, for the report."""
    meses = [m for _a, m in periodo.meses]
    con_figuras = ResumenMensual.objects.filter(anio=periodo.anio, mes__in=meses).values("comuna_id").distinct().count()
    ultimo = periodo.meses[-1]
    con_sello = ResumenSello.objects.filter(anio=ultimo[0], mes__lte=ultimo[1]).values("comuna_id").distinct().count()
    importaciones = Importacion.objects.filter(estado=Importacion.Estado.COMPLETADA).count()
    return [
        f"Period {periodo.codigo}. Volume data from `seed_volume` (`bench/volumen/`, fixed seed): "
        f"{Caso.objects.count():,} cases of {Persona.objects.count():,} personas over five years in "
        f"{Caso.objects.values('comuna_id').distinct().count()} of {Comuna.objects.count()} comunas, "
        f"{Capacitacion.objects.count():,} trainings, {DispositivoTerritorial.objects.count():,} territorial devices, "
        f"{Adhesion.objects.count()} seal adhesions; plus the demo (the `seed_demo` loaders) and the official "
        f"reference figures ({CifraOficial.objects.count():,} figures from {importaciones} imports of "
        f"`estadisticas/data/`). Summary tables refreshed the ordinary way: {con_figuras} comunas have figures in "
        f"the period, {con_sello} a seal snapshot, {ResumenMensual.objects.count():,} monthly summary rows in all."
    ]
