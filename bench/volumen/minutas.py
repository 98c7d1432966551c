"""Minuta jobs of past periods. A finished job (``lista``) must have its file (a database
constraint) and rendering 346 PDFs per period is the benchmarks' business, so these are jobs
that failed for good: ``error`` with their attempts exhausted, which the retry task leaves
alone. The current and the last closed semester are left untouched for the benchmarks."""

import random
import uuid
from datetime import UTC, datetime

from estadisticas.minuta_datos import VERSION_PLANTILLA
from estadisticas.minutas import MAX_INTENTOS
from estadisticas.models import Minuta
from estadisticas.periodos import Periodo
from municipios.models import Comuna

from .copia import Copiador, momento
from .usuarios import Personal

PERIODOS = 4
ERROR = "Tiempo de generación agotado (datos de volumen)."
COLUMNAS = [
    "uuid", "comuna_id", "periodo", "version_plantilla", "estado", "error", "archivo", "huella", "tamano",
    "intentos", "omitidas", "solicitada_por_id", "solicitada_en",
]  # fmt: skip


def sembrar(*, copiador: Copiador, personal: Personal, ahora: int, semilla: int = 0) -> None:
    rng = random.Random(f"{semilla}:minutas")  # noqa: S311 - reproducible data, not secrets
    periodo = Periodo.de_fecha(datetime.fromtimestamp(ahora, UTC).date()).anterior.anterior
    cuts = list(Comuna.objects.order_by("cut").values_list("cut", flat=True))
    existentes = set(Minuta.objects.values_list("comuna_id", "periodo", "version_plantilla"))
    filas = []
    for _ in range(PERIODOS):
        solicitada = int(datetime.combine(periodo.fin, datetime.min.time(), UTC).timestamp()) + 3 * 86_400
        for cut in cuts:
            if (cut, periodo.codigo, VERSION_PLANTILLA) in existentes:
                continue
            filas.append(
                f"{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{cut}\t{periodo.codigo}\t{VERSION_PLANTILLA}\t"
                f"{Minuta.Estado.ERROR}\t{ERROR}\t\t\t0\t{MAX_INTENTOS}\t0\t{personal.nacionales[0]}\t"
                f"{momento(solicitada + rng.randint(0, 3600))}"
            )
        periodo = periodo.anterior
    copiador.copiar(Minuta, COLUMNAS, filas)
