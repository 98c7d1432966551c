"""Where and when the cases happen: how many per comuna (exact total, weighted by population
and migration), their creation instants over the last years (growing use of the platform,
office hours), and the few cases forced to a type, state and priority so that even a small
volume holds every category."""

import math
import random
from dataclasses import dataclass, field

from django.db.models import Count, Max

from casos.models import Caso, EstadoCaso, Prioridad, TipoCaso
from municipios.models import Comuna, PoblacionComuna

from . import escala
from .usuarios import Personal

DIA = 86_400
# Office hours in Chile: 11:00-22:00 UTC is 07:00/08:00-18:00/19:00 local time.
APERTURA, JORNADA = 11 * 3600, 11 * 3600
CODIGO = 1024  # cases are sorted as (instant x CODIGO + comuna index)


@dataclass
class ComunaVol:
    cut: str
    region: str
    municipal: int
    regionales: list[int]
    casos: int
    casos_pendientes: int = 0
    personas_pendientes: int = 0
    personas: list[tuple[int, bool]] = field(default_factory=list)  # (id, es_nna)


def poblaciones() -> dict[str, int]:
    """Each comuna's population: the latest INE projection (the census where there is none)."""
    ultimo = PoblacionComuna.objects.filter(fuente=PoblacionComuna.Fuente.PROYECCION_INE).aggregate(a=Max("anio"))["a"]
    resultado = dict(
        PoblacionComuna.objects.filter(fuente=PoblacionComuna.Fuente.CENSO_2017).values_list("comuna_id", "total")
    )
    if ultimo is not None:
        resultado.update(
            PoblacionComuna.objects.filter(fuente=PoblacionComuna.Fuente.PROYECCION_INE, anio=ultimo).values_list(
                "comuna_id", "total"
            )
        )
    return resultado


def repartir_casos(casos: int, *, semilla: int, personal: Personal) -> list[ComunaVol]:
    """Every comuna with its number of cases (summing exactly ``casos``) and of new personas."""
    region_de = dict(Comuna.objects.values_list("cut", "region_id"))
    poblacion = poblaciones()
    for cut in region_de:
        poblacion.setdefault(cut, 1000)
    pesos = escala.pesos_comunas(poblacion, region_de, semilla)
    cuts = list(pesos)
    comunas = []
    for cut, n in zip(cuts, escala.repartir(casos, [pesos[c] for c in cuts]), strict=True):
        comunas.append(
            ComunaVol(
                cut=cut,
                region=region_de[cut],
                municipal=personal.municipal[cut],
                regionales=personal.regionales[region_de[cut]],
                casos=n,
                casos_pendientes=n,
                personas_pendientes=max(1, round(n * escala.PERSONAS_POR_CASO)) if n else 0,
            )
        )
    return comunas


def dia_creciente(rng: random.Random, dias: int) -> int:
    """A day in ``range(dias)`` drawn from a density rising linearly from 0.5 to 1.5 (the
    platform is used more every year): the inverse of its distribution function."""
    x = -0.5 + math.sqrt(0.25 + 2 * rng.random())
    return min(dias - 1, int(x * dias))


def cronologia(comunas: list[ComunaVol], *, semilla: int, ahora: int, anios: int) -> list[int]:
    """Creation instants of every case, sorted, each coded as ``instante * CODIGO + índice``.

    Days from :func:`dia_creciente`; hours in office hours."""
    rng = random.Random(f"{semilla}:cronologia")  # noqa: S311 - reproducible data, not secrets
    dias = 365 * anios
    inicio = ahora - dias * DIA
    codigos = []
    for indice, comuna in enumerate(comunas):
        for _ in range(comuna.casos):
            instante = inicio + dia_creciente(rng, dias) * DIA + APERTURA + rng.randrange(JORNADA)
            codigos.append(instante * CODIGO + indice)
    codigos.sort()
    return codigos


def forzados(total: int) -> dict[int, tuple[str, str, str]]:
    """Cases (by position in time) forced to each type, state and priority in turn, spread over
    the span, so that every category exists at any volume of ten cases or more."""
    tipos, estados, prioridades = list(TipoCaso.values), list(EstadoCaso.values), list(Prioridad.values)
    n = max(len(tipos), len(estados), len(prioridades))
    if total < n:
        return {}
    paso = total // n
    return {
        j * paso + paso // 2: (tipos[j % len(tipos)], estados[j % len(estados)], prioridades[j % len(prioridades)])
        for j in range(n)
    }


def comuna_con_casos(objetivo: int) -> str:
    """The comuna whose number of cases is closest to ``objetivo`` (lowest CUT on a tie): the
    benchmarks compare a small comuna (≈10 cases) with a big one (≈1,000) to show that the
    queries per request do not grow with the data. Not scoped: benchmark setup, not a view."""
    conteos = Caso.objects.values_list("comuna_id").annotate(n=Count("pk")).order_by()
    return min(conteos, key=lambda fila: (abs(fila[1] - objetivo), fila[0]))[0]
