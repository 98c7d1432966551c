"""PostgreSQL ``COPY ... FROM STDIN`` (psycopg 3 ``cursor.copy()``) with the text format
written by hand, per-table timings, sequence resets, ``ANALYZE`` and table sizes.

Rows are tab-separated lines built by the generators; every text they write comes from this
package's own pools (no tab, newline or backslash), so no escaping is needed beyond
:func:`texto` for the odd free value.
"""

import queue
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.db import connection
from django.db.models import Model
from psycopg import sql

NULO = r"\N"
BLOQUE = 1 << 20  # characters sent per write


def texto(valor: Any) -> str:
    """One value in COPY text format (None → NULL, booleans → t/f, backslash and tabs escaped)."""
    if valor is None:
        return NULO
    if valor is True:
        return "t"
    if valor is False:
        return "f"
    s = str(valor)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def fila(*valores: Any) -> str:
    return "\t".join(map(texto, valores))


def momento(segundos: int) -> str:
    """An aware timestamp (UTC) from epoch seconds, as COPY reads it."""
    t = time.gmtime(segundos)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}+00"


def dia(segundos: int) -> str:
    t = time.gmtime(segundos)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"


def fecha(d: date) -> str:
    return d.isoformat()


def tabla(modelo: type[Model] | str) -> str:
    return modelo if isinstance(modelo, str) else modelo._meta.db_table


@dataclass
class Medida:
    filas: int = 0
    segundos: float = 0.0


class Consola(Protocol):
    """Where progress goes: ``sys.stdout``, a command's ``self.stdout``, a ``StringIO``."""

    def write(self, texto: str, /) -> Any: ...
    def flush(self) -> Any: ...


Tarea = tuple["type[Model] | str", Sequence[str], Iterable[str]]


@dataclass
class Copiador:
    """Sends rows with COPY on Django's connection (inside the caller's transaction) and keeps
    the rows and seconds spent per table (COPY only: the rows are generated before).

    :meth:`en_fondo` hands whole lots to one background thread that sends them on the same
    (psycopg) connection while the caller builds the next lot: generating rows in Python and
    PostgreSQL storing them then run on both cores. The caller must not use the connection
    until :meth:`esperar` returns (psycopg's connection lock would make it wait anyway)."""

    medidas: dict[str, Medida] = field(default_factory=dict)
    tablas: set[str] = field(default_factory=set)  # written with COPY
    _cola: "queue.Queue[list[Tarea] | None] | None" = None
    _hilo: threading.Thread | None = None
    _error: BaseException | None = None
    _crudo: Any = None

    def copiar(
        self, modelo: "type[Model] | str", columnas: Sequence[str], lineas: Iterable[str], crudo: Any = None
    ) -> int:
        """COPY ``lineas`` into ``modelo``'s table. ``crudo``: the psycopg connection to use
        (the background thread's; Django's ``connection`` is per thread)."""
        nombre = tabla(modelo)
        orden = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(nombre), sql.SQL(", ").join(map(sql.Identifier, columnas))
        )
        inicio = time.perf_counter()
        n = 0
        partes: list[str] = []
        largo = 0
        if crudo is None:
            connection.ensure_connection()
            crudo = connection.connection
        with crudo.cursor() as cursor, cursor.copy(orden) as copia:
            for linea in lineas:
                partes.append(linea)
                largo += len(linea) + 1
                n += 1
                if largo >= BLOQUE:
                    copia.write("\n".join(partes) + "\n")
                    partes, largo = [], 0
            if partes:
                copia.write("\n".join(partes) + "\n")
        medida = self.medidas.setdefault(nombre, Medida())
        medida.filas += n
        medida.segundos += time.perf_counter() - inicio
        self.tablas.add(nombre)
        return n

    def en_fondo(self, tareas: list[Tarea]) -> None:
        """Queue a lot (several tables, in order); waits while the previous one is still
        queued, so at most two lots are in memory."""
        if self._error is not None:
            raise self._error
        if self._hilo is None:
            connection.ensure_connection()
            self._crudo = connection.connection  # the same connection, hence the same transaction
            self._cola = queue.Queue(maxsize=1)
            self._hilo = threading.Thread(target=self._trabajar, name="seed_volume-copy", daemon=True)
            self._hilo.start()
        assert self._cola is not None
        self._cola.put(tareas)

    def esperar(self) -> None:
        """Wait for every queued lot; re-raise the sender's error, if any."""
        if self._hilo is not None and self._cola is not None:
            self._cola.put(None)
            self._hilo.join()
            self._hilo, self._cola = None, None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _trabajar(self) -> None:
        assert self._cola is not None
        while (tareas := self._cola.get()) is not None:
            if self._error is not None:
                continue  # drain: the main thread raises at its next call
            try:
                for modelo, columnas, lineas in tareas:
                    self.copiar(modelo, columnas, lineas, crudo=self._crudo)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which re-raises it
                self._error = exc

    def anotar(self, nombre: str, filas: int, segundos: float) -> None:
        """Record work done another way (bulk_create, an UPDATE, the summary refresh)."""
        medida = self.medidas.setdefault(nombre, Medida())
        medida.filas += filas
        medida.segundos += segundos

    def informe(self) -> list[str]:
        lineas = []
        for nombre, m in sorted(self.medidas.items(), key=lambda kv: -kv[1].segundos):
            ritmo = f"{m.filas / m.segundos:>10,.0f} rows/s" if m.segundos and m.filas else ""
            lineas.append(f"  {nombre:<48} {m.filas:>11,} rows {m.segundos:>8.1f} s {ritmo}")
        return lineas


def siguiente_id(modelo: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}").format(sql.Identifier(modelo._meta.db_table)))
        return int(cursor.fetchone()[0])


def reiniciar_secuencias(modelos: Iterable[type[Model]]) -> None:
    """After COPY with explicit ids: the next id the database hands out is max(id) + 1."""
    with connection.cursor() as cursor:
        for modelo in modelos:
            nombre = modelo._meta.db_table
            cursor.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {}), 0) + 1, false)"
                ).format(sql.Identifier(nombre)),
                [nombre],
            )


def analizar(tablas: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for nombre in tablas:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(nombre)))


def tamanos(tablas: Iterable[str]) -> list[tuple[str, int, int]]:
    """(table, estimated rows, total bytes with indexes and TOAST), largest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint, pg_total_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relname = ANY(%s) ORDER BY 3 DESC",
            [list(tablas)],
        )
        return [(str(n), int(f), int(b)) for n, f, b in cursor.fetchall()]


def superusuario() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        fila = cursor.fetchone()
    return bool(fila and fila[0])


def claves_rotas(tablas: Iterable[str]) -> list[str]:
    """Every single-column foreign key of ``tablas`` checked at once with an anti-join (what
    the deferred row-by-row checks would do, minus their cost): the broken ones, described."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname "
            "FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid::regclass::text = ANY(%s)",
            [list(tablas)],
        )
        claves = cursor.fetchall()
        rotas = []
        for hija, columna, madre, referida in claves:
            cursor.execute(
                sql.SQL(
                    "SELECT count(*) FROM {h} x WHERE x.{c} IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM {m} p WHERE p.{r} = x.{c})"
                ).format(
                    h=sql.Identifier(hija),
                    c=sql.Identifier(columna),
                    m=sql.Identifier(madre),
                    r=sql.Identifier(referida),
                )
            )
            if n := cursor.fetchone()[0]:
                rotas.append(f"{hija}.{columna} → {madre}.{referida}: {n} rows")
    return rotas


def quitar_indices(tablas: Iterable[str]) -> list[str]:
    """Drop the indexes of ``tablas`` that back no constraint (primary keys and unique
    constraints stay, enforcing uniqueness during the load) and return their definitions, for
    :func:`crear_indices` to build each with one sort after the load, as ``pg_restore`` does:
    much cheaper than millions of random insertions. Inside the caller's transaction, so an
    error restores them with everything else."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1",
            [list(tablas)],
        )
        indices = [(str(n), str(d)) for n, d in cursor.fetchall()]
        for nombre, _definicion in indices:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(nombre)))
    return [definicion for _nombre, definicion in indices]


def crear_indices(definiciones: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem TO '256MB'")
        for definicion in definiciones:
            cursor.execute(definicion)
