"""How much of everything a volume of N cases implies, and the weights of every category.

The ratios (per case, so the data grows as a whole), and what they give at N = 1,000,000:

- personas: 0.7 x N, a third of them with two or more cases (700,000);
- transitions: the path of each case's state, about 3.6 per case (~3,600,000: most cases are
  old and resolved, which takes derivar, asignar, resolver and often cerrar);
- messages: about 1.5 per case, a fifth of them internal notes (~1,500,000);
- openings of sensitive cases: about 0.035 per case (~35,000);
- one simple-history "+" row per persona, case and message;
- trainings: N / 300 (3,333), each with invitations, 1-4 sessions, 8-40 registrations,
  attendance, certificates and some surveys;
- territorial devices (operativos): N / 100 (10,000);
- seal adhesions: N / 300, at least 24 and at most 150, in every state, with plan, actions,
  evidence (links), scores, evaluations, committee decisions and certificates;
- minuta jobs of past periods (``error``, attempts exhausted: a finished job must have a file).

Plus the fixed staff: one municipal officer per comuna, three regional officers per región,
three national staff and three evaluators. Cases spread over the 346 comunas by population
times an approximate regional share of foreign residents, with a fixed-seed jitter: at 1M the
smallest comunas get about ten cases and the largest tens of thousands.
"""

import bisect
import math
import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from casos.models import Canal, EstadoCaso, Prioridad, Sexo, TipoCaso

SEMILLA = 346
ANIOS = 5
PERSONAS_POR_CASO = 0.7
CASOS_POR_CAPACITACION = 300
CASOS_POR_DISPOSITIVO = 100
CASOS_POR_ADHESION = 300
ADHESIONES_MIN, ADHESIONES_MAX = 24, 150
REGIONALES_POR_REGION = 3
NACIONALES = 3
EVALUADORES = 3

# Approximate share of foreign residents by región (INE-SERMIG estimates, rounded): the north
# and the capital concentrate migration, the south much less.
EXTRANJEROS_POR_REGION = {
    "15": 0.12,
    "01": 0.17,
    "02": 0.14,
    "03": 0.07,
    "04": 0.04,
    "05": 0.05,
    "13": 0.11,
    "06": 0.04,
    "07": 0.03,
    "16": 0.02,
    "08": 0.02,
    "09": 0.02,
    "14": 0.02,
    "10": 0.03,
    "11": 0.04,
    "12": 0.06,
}

TIPOS = {
    TipoCaso.CONSULTA: 28,
    TipoCaso.REGULARIZACION: 28,
    TipoCaso.NNA: 6,
    TipoCaso.VIOLENCIA: 4,
    TipoCaso.TRATA: 1,
    TipoCaso.REFUGIO: 5,
    TipoCaso.REUNIFICACION: 6,
    TipoCaso.VULNERACION: 6,
    TipoCaso.HUMANITARIA: 12,
    TipoCaso.SANCIONES: 4,
}
PRIORIDADES = {Prioridad.BAJA: 30, Prioridad.MEDIA: 45, Prioridad.ALTA: 20, Prioridad.URGENTE: 5}
PRIORIDADES_SENSIBLES = {Prioridad.MEDIA: 20, Prioridad.ALTA: 50, Prioridad.URGENTE: 30}
CANALES = {
    Canal.PRESENCIAL: 60,
    Canal.TELEFONO: 12,
    Canal.CORREO: 10,
    Canal.DERIVACION: 10,
    Canal.TERRENO: 8,
}
SEXOS = {Sexo.MUJER: 52, Sexo.HOMBRE: 44, Sexo.OTRO: 1, Sexo.NO_INFORMA: 3}
PAISES = {
    "VE": 35,
    "PE": 15,
    "HT": 12,
    "CO": 12,
    "BO": 8,
    "AR": 4,
    "EC": 4,
    "DO": 3,
    "CN": 2,
    "CU": 1,
    "": 4,
}
NNA = 0.09

E = EstadoCaso
# The state of a case depends on its age: (days up to, weights).
ESTADOS_POR_EDAD: list[tuple[float, dict[str, float]]] = [
    (2, {E.BORRADOR: 30, E.DERIVADO: 50, E.EN_GESTION: 20}),
    (
        14,
        {
            E.BORRADOR: 10,
            E.DERIVADO: 25,
            E.EN_GESTION: 40,
            E.REQUIERE_INFORMACION: 10,
            E.RESUELTO: 12,
            E.CERRADO: 2,
            E.REABIERTO: 1,
        },
    ),
    (
        90,
        {
            E.BORRADOR: 4,
            E.DERIVADO: 8,
            E.EN_GESTION: 30,
            E.REQUIERE_INFORMACION: 10,
            E.RESUELTO: 28,
            E.CERRADO: 18,
            E.REABIERTO: 2,
        },
    ),
    (
        365,
        {
            E.BORRADOR: 2,
            E.DERIVADO: 2,
            E.EN_GESTION: 8,
            E.REQUIERE_INFORMACION: 3,
            E.RESUELTO: 50,
            E.CERRADO: 33,
            E.REABIERTO: 2,
        },
    ),
    (
        math.inf,
        {
            E.BORRADOR: 1,
            E.DERIVADO: 0.5,
            E.EN_GESTION: 1.5,
            E.REQUIERE_INFORMACION: 1,
            E.RESUELTO: 60,
            E.CERRADO: 34,
            E.REABIERTO: 2,
        },
    ),
]

K = TypeVar("K", bound=Hashable)


class Urna(Generic[K]):
    """A weighted draw with the cumulative weights computed once (``random.choices`` per call
    recomputes them)."""

    def __init__(self, pesos: Mapping[K, float]) -> None:
        # Plain values, not enum members: they are written into COPY lines with f-strings.
        self.valores: list[K] = [k.value if isinstance(k, Enum) else k for k in pesos]
        self.acumulados: list[float] = []
        total = 0.0
        for peso in pesos.values():
            total += peso
            self.acumulados.append(total)
        self.total = total

    def sacar(self, rng: random.Random) -> K:
        return self.valores[bisect.bisect_right(self.acumulados, rng.random() * self.total)]


@dataclass(frozen=True)
class Escala:
    casos: int
    personas: int
    capacitaciones: int
    dispositivos: int
    adhesiones: int

    @classmethod
    def para(cls, casos: int) -> "Escala":
        return cls(
            casos=casos,
            personas=round(casos * PERSONAS_POR_CASO),
            capacitaciones=max(10, casos // CASOS_POR_CAPACITACION),
            dispositivos=max(10, casos // CASOS_POR_DISPOSITIVO),
            adhesiones=min(ADHESIONES_MAX, max(ADHESIONES_MIN, casos // CASOS_POR_ADHESION)),
        )


def repartir(total: int, pesos: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``pesos`` exactly (largest remainder)."""
    suma = sum(pesos)
    cuotas = [total * p / suma for p in pesos]
    partes = [math.floor(c) for c in cuotas]
    faltan = total - sum(partes)
    for i in sorted(range(len(pesos)), key=lambda i: partes[i] - cuotas[i])[:faltan]:
        partes[i] += 1
    return partes


def pesos_comunas(poblacion: Mapping[str, int], region_de: Mapping[str, str], semilla: int) -> dict[str, float]:
    """Each comuna's weight: population x regional share of foreign residents x a lognormal
    jitter (fixed seed), so neighbouring comunas of equal size still differ."""
    rng = random.Random(f"{semilla}:pesos")  # noqa: S311 - reproducible data, not secrets
    return {
        cut: poblacion[cut] * EXTRANJEROS_POR_REGION.get(region_de[cut], 0.05) * rng.lognormvariate(0, 0.35)
        for cut in sorted(poblacion)
    }
