"""The volume seed as a whole: checks, the order of the parts, one transaction, sequences,
statistics, the summary refresh, timings and table sizes."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as hora
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from capacitaciones.models import Capacitacion, Inscripcion, Sesion
from casos.models import Caso, Mensaje, Persona
from estadisticas.resumenes import resumenes_refrescar
from municipios.models import Usuario

from . import capacitaciones, casos, copia, escala, limpieza, minutas, sello, usuarios

MARCA = f"{usuarios.PREFIJO}muni.13101"
# From this size on (and as a superuser) the load skips the row-by-row foreign-key triggers
# (``session_replication_role = replica``, as ``pg_restore --disable-triggers`` does) and
# checks every foreign key of the tables written with one anti-join each before committing.
SIN_DISPARADORES = 10_000
# Tables written by COPY with explicit ids: their sequences are moved past max(id).
CON_IDS_EXPLICITOS = (Persona, Caso, Mensaje, Capacitacion, Sesion, Inscripcion, *sello.CON_IDS)
TOLERANCIA = 0.05


class VolumenError(Exception):
    """The seed refuses to run (the message says why, in Spanish)."""


@dataclass
class Resultado:
    sembrado: bool
    casos: int
    segundos: float = 0.0
    tiempos: list[str] = field(default_factory=list)
    tamanos: list[tuple[str, int, int]] = field(default_factory=list)


def nombre_base() -> str:
    return str(connection.settings_dict.get("NAME") or "")


def verificar_entorno(*, forzar: bool, reset: bool) -> None:
    """COPY needs PostgreSQL; with DEBUG off only a benchmark database (or ``--forzar``);
    ``--reset`` only on a database whose name says it holds benchmark or volume data."""
    if connection.vendor != "postgresql":
        raise VolumenError(
            "seed_volume necesita PostgreSQL (usa COPY): defina DATABASE_URL=postgres://… "
            f"(la base actual es {connection.vendor})."
        )
    nombre = nombre_base()
    if not settings.DEBUG and "bench" not in nombre and not forzar:
        raise VolumenError(
            f"DEBUG está desactivado y la base «{nombre}» no es de benchmark: use una base cuyo nombre "
            "contenga «bench» o agregue --forzar."
        )
    if reset and "bench" not in nombre and "vol" not in nombre:
        raise VolumenError(f"--reset solo se permite en bases cuyo nombre contiene «bench» o «vol» (no «{nombre}»).")


def casos_presentes() -> int | None:
    """How many volume cases there are, or None when the volume data was never seeded."""
    if not Usuario.objects.filter(username=MARCA).exists():
        return None
    ids = list(Usuario.objects.filter(username__startswith=usuarios.PREFIJO).values_list("pk", flat=True))
    return Caso.objects.filter(creado_por_id__in=ids).count()


def ahora_de(hoy: date | None) -> int:
    """The instant the data ends (epoch seconds): midnight, local time, at the start of ``hoy``.
    The same seed and day give the same rows."""
    dia = hoy or timezone.localdate()
    return int(timezone.make_aware(datetime.combine(dia, hora.min)).timestamp())


T = TypeVar("T")


def _paso(consola: copia.Consola | None, nombre: str, funcion: Callable[[], T]) -> T:
    inicio = time.perf_counter()
    resultado = funcion()
    if consola is not None:
        consola.write(f"seed_volume: {nombre} ({time.perf_counter() - inicio:.1f} s)\n")
        consola.flush()
    return resultado


def sembrar(
    *, casos_n: int, semilla: int = escala.SEMILLA, hoy: date | None = None, consola: copia.Consola | None = None
) -> Resultado:
    """Fill the database with ``casos_n`` cases and everything in proportion (``escala``), in
    one transaction. Does not check for existing data: see :func:`asegurar`."""
    inicio = time.perf_counter()
    ahora = ahora_de(hoy)
    tamano = escala.Escala.para(casos_n)
    copiador = copia.Copiador()
    with transaction.atomic():
        rapido = casos_n >= SIN_DISPARADORES and copia.superusuario()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")
            if rapido:
                cursor.execute("SET LOCAL session_replication_role TO replica")
        personal = _paso(consola, "staff", lambda: usuarios.crear(semilla))
        indices = copia.quitar_indices(limpieza.TABLAS_CASOS) if rapido else []
        _paso(
            consola,
            f"{casos_n:,} cases",
            lambda: casos.sembrar(
                copiador=copiador, personal=personal, casos=casos_n, semilla=semilla, ahora=ahora, consola=consola
            ),
        )
        _medir(
            copiador,
            f"{len(indices)} secondary indexes of the case tables rebuilt",
            lambda: copia.crear_indices(indices),
        )
        _paso(
            consola,
            f"{tamano.capacitaciones:,} trainings, {tamano.dispositivos:,} devices",
            lambda: capacitaciones.sembrar(
                copiador=copiador, personal=personal, escala=tamano, semilla=semilla, ahora=ahora
            ),
        )
        _paso(
            consola,
            f"{tamano.adhesiones} seal adhesions",
            lambda: sello.sembrar(copiador=copiador, personal=personal, escala=tamano, semilla=semilla, ahora=ahora),
        )
        _paso(
            consola,
            "minuta jobs",
            lambda: minutas.sembrar(copiador=copiador, personal=personal, ahora=ahora, semilla=semilla),
        )
        copia.reiniciar_secuencias(CON_IDS_EXPLICITOS)
        tablas = sorted(copiador.tablas)
        if rapido:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role TO origin")
            rotas = _medir(copiador, "foreign keys checked (anti-joins)", lambda: copia.claves_rotas(tablas))
            if rotas:
                raise VolumenError("Claves foráneas rotas: " + "; ".join(rotas))
        _medir(copiador, "ANALYZE", lambda: copia.analizar(tablas))
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem TO '64MB'")  # the refresh's GROUP BYs fit in memory
        actualizacion = _medir(copiador, "resumenes_refrescar()", resumenes_refrescar)
        copiador.anotar("summary rows written by the refresh", actualizacion.filas, 0)
        copia.analizar(["estadisticas_resumenmensual", "estadisticas_resumensello"])
    return Resultado(
        sembrado=True,
        casos=casos_n,
        segundos=time.perf_counter() - inicio,
        tiempos=copiador.informe(),
        tamanos=copia.tamanos([*tablas, "estadisticas_resumenmensual", "estadisticas_resumensello"]),
    )


def _medir(copiador: copia.Copiador, nombre: str, funcion: Callable[[], T]) -> T:
    inicio = time.perf_counter()
    resultado = funcion()
    copiador.anotar(nombre, 0, time.perf_counter() - inicio)
    return resultado


def asegurar(
    *,
    casos_n: int,
    semilla: int = escala.SEMILLA,
    reset: bool = False,
    reemplazar: bool = False,
    hoy: date | None = None,
    consola: copia.Consola | None = None,
) -> Resultado:
    """Seed unless the volume data is there already (the marker user and ≈``casos_n`` volume
    cases, ±5 %). ``reset`` removes the volume data first; ``reemplazar`` does so only when
    the size present differs. A different size present without either is an error."""
    presentes = casos_presentes()
    if presentes is not None and not reset:
        if abs(presentes - casos_n) <= TOLERANCIA * casos_n:
            return Resultado(sembrado=False, casos=presentes)
        if not reemplazar:
            raise VolumenError(
                f"Ya hay datos de volumen con {presentes:,} casos (se pidieron {casos_n:,}): "
                "use --reset para reemplazarlos."
            )
        reset = True
    inicio = time.perf_counter()
    with transaction.atomic():  # a failed seed leaves the previous volume data in place
        if reset and presentes is not None:
            verificar_entorno(forzar=True, reset=True)  # whoever asks, only where the name allows it
            _paso(consola, "reset", limpieza.borrar)
        resultado = sembrar(casos_n=casos_n, semilla=semilla, hoy=hoy, consola=consola)
        fin_sin_commit = time.perf_counter()
    resultado.tiempos.insert(0, f"  {'COMMIT':<48} {'':>16} {time.perf_counter() - fin_sin_commit:>8.1f} s")
    resultado.segundos = time.perf_counter() - inicio
    return resultado
