"""The benchmark data, prepared once and reused when present.

The demo loaders of each app (the same calls as ``seed_demo``, which refuses to run with
DEBUG off), the official reference figures (``estadisticas.demo.cargar_oficiales``), a
summary refresh, and then a national spread of platform figures: the demo touches five
comunas, a year of national use touches all 346. That spread is written straight into the
summary tables (``ResumenMensual`` / ``ResumenSello``), which is all a minuta reads;
``seed_volume`` (issue 7) will replace it with real cases refreshed the ordinary way.
"""

import random
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from capacitaciones.models import EstadoAsistencia, Organizador, TipoDispositivo
from casos.models import EstadoCaso, Prioridad, Sexo, TipoCaso
from estadisticas.models import CifraOficial, Importacion, Indicador, ResumenMensual, ResumenSello
from estadisticas.periodos import Periodo
from estadisticas.resumenes import resumenes_refrescar
from municipios.models import Comuna, Usuario
from sello.models import EstadoSello, Linea

SEMILLA = 346
# Share of comunas with platform activity, and the weights of each dimension's categories.
ACTIVAS = 0.85
TIPOS = {
    TipoCaso.CONSULTA: 30,
    TipoCaso.REGULARIZACION: 28,
    TipoCaso.NNA: 6,
    TipoCaso.VIOLENCIA: 4,
    TipoCaso.TRATA: 1,
    TipoCaso.REFUGIO: 5,
    TipoCaso.REUNIFICACION: 6,
    TipoCaso.VULNERACION: 6,
    TipoCaso.HUMANITARIA: 10,
    TipoCaso.SANCIONES: 4,
}
ESTADOS = {
    EstadoCaso.DERIVADO: 20,
    EstadoCaso.EN_GESTION: 25,
    EstadoCaso.REQUIERE_INFORMACION: 8,
    EstadoCaso.RESUELTO: 25,
    EstadoCaso.CERRADO: 20,
    EstadoCaso.REABIERTO: 2,
}
PRIORIDADES = {Prioridad.BAJA: 30, Prioridad.MEDIA: 45, Prioridad.ALTA: 20, Prioridad.URGENTE: 5}
SEXOS = {Sexo.MUJER: 52, Sexo.HOMBRE: 44, Sexo.OTRO: 1, Sexo.NO_INFORMA: 3}
PAISES = {"VE": 35, "PE": 15, "HT": 12, "CO": 12, "BO": 8, "AR": 4, "EC": 4, "DO": 3, "CN": 2, "": 5}
NNA = {"si": 9, "no": 91}


def periodo_bench(hoy: date | None = None) -> Periodo:
    """The period measured: the current semester (the demo's cases and the seal snapshot of
    the refresh belong to it)."""
    return Periodo.de_fecha(hoy or timezone.localdate())


def _repartir(rng: random.Random, total: int, pesos: dict[Any, int]) -> dict[str, int]:
    categorias = list(pesos)
    conteo = dict.fromkeys((str(c) for c in categorias), 0)
    for categoria in rng.choices(categorias, weights=list(pesos.values()), k=total):
        conteo[str(categoria)] += 1
    return {c: n for c, n in conteo.items() if n}


def _filas_comuna(rng: random.Random, cut: str, meses: Iterable[tuple[int, int]]) -> list[ResumenMensual]:
    escala = rng.lognormvariate(2.5, 1.1)  # median ~12 cases a month, a long tail of big comunas
    filas = []
    for anio, mes in meses:
        casos = max(0, round(rng.gauss(escala, escala / 4)))
        valores: list[tuple[str, str, int]] = []
        for indicador, pesos in (
            (Indicador.CASOS_TIPO, TIPOS),
            (Indicador.CASOS_ESTADO, ESTADOS),
            (Indicador.CASOS_PRIORIDAD, PRIORIDADES),
            (Indicador.CASOS_SEXO, SEXOS),
            (Indicador.CASOS_NACIONALIDAD, PAISES),
            (Indicador.CASOS_NNA, NNA),
        ):
            valores += [(indicador, c, n) for c, n in _repartir(rng, casos, pesos).items()]
        if vencidos := round(casos * rng.uniform(0, 0.15)):
            valores.append((Indicador.CASOS_VENCIDOS, "vencidos", vencidos))
        if rng.random() < 0.4:
            organizador = rng.choice(list(Organizador))
            inscritos = rng.randint(3, 40)
            presentes = round(inscritos * rng.uniform(0.6, 0.95))
            valores += [
                (Indicador.CAPACITACIONES, str(organizador), 1),
                (Indicador.PERSONAS_CAPACITADAS, "personas", presentes),
                (Indicador.ASISTENCIAS, str(EstadoAsistencia.PRESENTE), presentes),
                (Indicador.ASISTENCIAS, str(EstadoAsistencia.AUSENTE), inscritos - presentes),
            ]
        if rng.random() < 0.25:
            atendidas = rng.randint(20, 300)
            mujeres = round(atendidas * 0.55)
            valores += [
                (Indicador.OPERATIVOS, str(rng.choice(list(TipoDispositivo))), 1),
                (Indicador.ATENCIONES_OPERATIVOS, "mujeres", mujeres),
                (Indicador.ATENCIONES_OPERATIVOS, "hombres", atendidas - mujeres),
            ]
        filas += [
            ResumenMensual(comuna_id=cut, anio=anio, mes=mes, indicador=i, categoria=c, valor=n)
            for i, c, n in valores
            if n
        ]
    return filas


def _sello_comuna(rng: random.Random, cut: str, hoy: date) -> ResumenSello:
    estado = rng.choices(list(EstadoSello), weights=[8, 10, 10, 8, 20, 4, 4, 15, 3, 6, 2, 1])[0]
    lineas = {str(linea.value): f"{rng.uniform(10, 100):.2f}" for linea in Linea}
    total = sum((Decimal(v) for v in lineas.values()), Decimal(0)) / len(lineas)
    certificada = estado in (EstadoSello.CERTIFICADA, EstadoSello.REVALIDADA, EstadoSello.REVALIDACION_PENDIENTE)
    return ResumenSello(
        comuna_id=cut,
        anio=hoy.year,
        mes=hoy.month,
        estado=estado,
        ciclo=1,
        puntaje_total=total.quantize(Decimal("0.01")),
        por_linea=lineas,
        vigente_hasta=hoy + timedelta(days=rng.randint(30, 900)) if certificada else None,
    )


@transaction.atomic
def sembrar_resumenes(*, periodo: Periodo, hoy: date | None = None, cuts: Iterable[str] | None = None) -> int:
    """Platform figures for every comuna (or ``cuts``) that has none in ``periodo``'s months
    up to ``hoy``, and a seal snapshot for most of those without one. Reproducible (fixed seed)."""
    hoy = hoy or timezone.localdate()
    meses = [(a, m) for a, m in periodo.meses if date(a, m, 1) <= hoy]
    objetivo = sorted(cuts) if cuts is not None else list(Comuna.objects.order_by("cut").values_list("cut", flat=True))
    con_datos = set(
        ResumenMensual.objects.filter(anio=periodo.anio, mes__in=[m for _a, m in meses]).values_list(
            "comuna_id", flat=True
        )
    )
    con_sello = set(ResumenSello.objects.filter(anio=hoy.year, mes=hoy.month).values_list("comuna_id", flat=True))
    rng = random.Random(SEMILLA)  # noqa: S311 - reproducible data, not secrets
    filas: list[ResumenMensual] = []
    sellos: list[ResumenSello] = []
    for cut in objetivo:
        activa = rng.random() < ACTIVAS
        if activa and cut not in con_datos:
            filas += _filas_comuna(rng, cut, meses)
        if activa and cut not in con_sello:
            sellos.append(_sello_comuna(rng, cut, hoy))
    ResumenMensual.objects.bulk_create(filas, batch_size=5000)
    ResumenSello.objects.bulk_create(sellos)
    return len(filas) + len(sellos)


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


def preparar(*, periodo: Periodo, demo: bool = True, oficiales: bool = True, minimo: int = 300) -> list[str]:
    """Make sure the data is there, doing only the missing steps; returns what was done.
    ``minimo`` is how many comunas must have figures in ``periodo`` to reuse the summaries."""
    hechos = []
    if demo and not Usuario.objects.filter(username="nacional").exists():
        _sembrar_demo()
        hechos.append("demo data (seed_demo loaders)")
    if oficiales:
        from estadisticas.demo import cargar_oficiales

        # Idempotent: imports only the files not yet completed.
        if nuevas := cargar_oficiales():
            hechos.append(f"official reference figures ({len(nuevas)} imports)")
    meses = [m for _a, m in periodo.meses]
    cubiertas = ResumenMensual.objects.filter(anio=periodo.anio, mes__in=meses).values("comuna_id").distinct().count()
    if cubiertas < minimo or hechos:
        resumenes_refrescar()
        filas = sembrar_resumenes(periodo=periodo)
        hechos.append(f"summary refresh + national spread ({filas} summary rows)")
    return hechos


def descripcion(periodo: Periodo) -> list[str]:
    """What the data measured is, for the report."""
    meses = [m for _a, m in periodo.meses]
    con_figuras = ResumenMensual.objects.filter(anio=periodo.anio, mes__in=meses).values("comuna_id").distinct().count()
    ultimo = periodo.meses[-1]
    con_sello = ResumenSello.objects.filter(anio=ultimo[0], mes__lte=ultimo[1]).values("comuna_id").distinct().count()
    importaciones = Importacion.objects.filter(estado=Importacion.Estado.COMPLETADA).count()
    return [
        f"Period {periodo.codigo}. The demo (the `seed_demo` loaders), the official reference figures "
        f"({CifraOficial.objects.count():,} figures from {importaciones} imports of `estadisticas/data/`) and a "
        f"national spread of platform figures written into the summary tables (`bench/datos.py`, fixed seed): "
        f"{con_figuras} of {Comuna.objects.count()} comunas have case, training or operativo figures in the period, "
        f"{con_sello} a seal snapshot, {ResumenMensual.objects.count():,} monthly summary rows in all. "
        "Issue 7's `seed_volume` will replace the spread with real cases refreshed the ordinary way."
    ]
