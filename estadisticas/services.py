"""Official data imports: record an import, run it (streaming, batched, one transaction) and
read back the totals stored in the database.

Rows are inserted with PostgreSQL ``COPY`` in batches (``importadores.copia``), not
``bulk_create``: on a 500,000-row file, 0.23x the rows per second of a bare ``COPY`` of the
same rows became 0.6-0.7x (``make bench``, "Official data import").

While an import runs, the number of lines read so far is kept in the cache (``progreso``): the
rows themselves only become visible when the single transaction commits.
"""

from pathlib import Path
from typing import IO, Any

from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from municipios.models import Usuario
from sello.fallas import SinEspacio, encolar, guardar_en_almacenamiento

from .importadores import NUMEROS_ESTIMACION, RESUMENES, ErrorDeImportacion, abrir, importador_para, sha256
from .importadores.copia import Fila, copiar
from .models import CifraOficial, EstimacionExtranjeros, Fuente, Importacion, RefugioSermig, ResidenciaSermig

TAMANO_LOTE = 2000
# Progress is published every this many lines read.
PASO_PROGRESO = 10_000
# A progress entry outlives any import (the task's hard limit is about an hour).
DURACION_PROGRESO = 2 * 60 * 60


def clave_progreso(importacion_id: int) -> str:
    return f"estadisticas:importacion:{importacion_id}:progreso"


def progreso(importacion_id: int) -> int | None:
    """Lines read so far by a running import (None when it has not published any)."""
    valor = cache.get(clave_progreso(importacion_id))
    return int(valor) if valor is not None else None


def importacion_registrar(
    *,
    fuente: str,
    release: str,
    archivo: IO[bytes],
    nombre: str,
    usuario: Usuario | None = None,
    permitir_no_reconocidas: bool = False,
) -> Importacion:
    """Store the uploaded file and record a pending import (run it with ``importacion_ejecutar``
    or the task ``estadisticas.importar``)."""
    if fuente not in Fuente.values:
        raise ErrorDeImportacion(f"Fuente desconocida: «{fuente}».")
    if not release.strip():
        raise ErrorDeImportacion("Indique la publicación (release) del archivo, por ejemplo «2023-12».")
    importacion = Importacion(
        fuente=fuente,
        release=release.strip(),
        nombre_archivo=Path(nombre).name,
        checksum=sha256(archivo),
        creado_por=usuario,
        permitir_no_reconocidas=permitir_no_reconocidas,
    )
    try:
        guardar_en_almacenamiento(importacion.archivo, Path(nombre).name, File(archivo))
    except SinEspacio as exc:
        raise ErrorDeImportacion(exc.mensaje) from exc
    importacion.save()
    return importacion


def importacion_subir(
    *, fuente: str, release: str, archivo: IO[bytes], nombre: str, usuario: Usuario, permitir_no_reconocidas: bool
) -> Importacion:
    """Record an uploaded file and queue its import (task ``estadisticas.importar``) once the
    record is committed."""
    from .tasks import importar  # the tasks module imports this one

    with transaction.atomic():
        importacion = importacion_registrar(
            fuente=fuente,
            release=release,
            archivo=archivo,
            nombre=nombre,
            usuario=usuario,
            permitir_no_reconocidas=permitir_no_reconocidas,
        )
        # A broker that is down leaves it "pendiente": estadisticas.importaciones_pendientes
        # queues it again.
        transaction.on_commit(lambda: encolar(importar, importacion.pk))
    return importacion


def importacion_ejecutar(importacion: Importacion, archivo: IO[bytes] | None = None) -> Importacion:
    """Run a recorded import. Idempotent: a completed import is returned untouched.

    In one transaction: the rows and figures of the other imports of the same source and
    release are deleted (those imports become ``reemplazada``), the file's rows inserted in
    batches (``COPY``), and the importer closed: microdata derive their official figures
    (``CifraOficial``) by GROUP BY, summaries check theirs against the file's totals.
    On any error nothing is written and the import is marked ``error`` with a Spanish message
    and the report (unrecognised comunas with their line numbers).
    """
    terminadas = (Importacion.Estado.COMPLETADA, Importacion.Estado.REEMPLAZADA)
    if importacion.estado in terminadas:
        return importacion
    # The same task delivered twice (a broker redelivery while the first run still works): the
    # first run holds its row locked for the whole import, so this UPDATE waits for it and then
    # finds the import finished (PostgreSQL re-checks the WHERE on the committed row).
    if (
        not Importacion.objects.filter(pk=importacion.pk)
        .exclude(estado__in=terminadas)
        .update(estado=Importacion.Estado.PROCESANDO, error="")
    ):
        importacion.refresh_from_db()
        return importacion
    cache.set(clave_progreso(importacion.pk), 0, DURACION_PROGRESO)
    propio = archivo is None
    if archivo is None:
        archivo = importacion.archivo.open("rb")
    importador = importador_para(importacion.fuente)
    filas = None
    try:
        if not importacion.checksum:
            importacion.checksum = sha256(archivo)
        nombres, filas = abrir(archivo, importacion.nombre_archivo or importacion.archivo.name or "")
        importador.validar_encabezado(set(nombres))
        with transaction.atomic():
            estado = Importacion.objects.select_for_update().filter(pk=importacion.pk).values_list("estado", flat=True)
            if estado.first() in terminadas:  # finished by another run while this one opened the file
                importacion.refresh_from_db()
                return importacion
            anteriores = Importacion.objects.select_for_update().filter(
                fuente=importacion.fuente, release=importacion.release, estado=Importacion.Estado.COMPLETADA
            )
            ids_anteriores = list(anteriores.exclude(pk=importacion.pk).values_list("pk", flat=True))
            importador.modelo._default_manager.filter(importacion_id__in=ids_anteriores).delete()
            CifraOficial.objects.filter(importacion_id__in=ids_anteriores).delete()
            Importacion.objects.filter(pk__in=ids_anteriores).update(estado=Importacion.Estado.REEMPLAZADA)
            lote: list[Fila] = []
            for leidas, (linea, fila) in enumerate(filas, start=1):
                lote.extend(importador.convertir(importacion.pk, linea, fila))
                if leidas % PASO_PROGRESO == 0:
                    cache.set(clave_progreso(importacion.pk), leidas, DURACION_PROGRESO)
                if len(lote) >= TAMANO_LOTE:
                    copiar(importador.modelo, importador.campos, lote)
                    lote = []
            copiar(importador.modelo, importador.campos, lote)
            reporte = {"no_reconocidas": list(importador.no_reconocidas.values()), **importador.reporte}
            if importador.no_reconocidas and not importacion.permitir_no_reconocidas:
                nombres_malos = ", ".join(
                    f"«{r['nombre']}» (líneas {', '.join(map(str, r['lineas']))})"
                    for r in importador.no_reconocidas.values()
                )
                raise ErrorDeImportacion(
                    f"Hay comunas o regiones no reconocidas; no se importó nada: {nombres_malos}.", reporte
                )
            importador.cerrar(importacion.pk)
            reporte.update(importador.reporte)
            importacion.estado = Importacion.Estado.COMPLETADA
            importacion.filas = importador.filas
            importacion.totales = {"filas": importador.filas, **importador.totales, "cifras": importador.cifras}
            importacion.reporte = reporte
            importacion.error = ""
            importacion.terminado_en = timezone.now()
            importacion.save()
    except ErrorDeImportacion as exc:
        Importacion.objects.filter(pk=importacion.pk).update(
            estado=Importacion.Estado.ERROR,
            error=exc.mensaje,
            reporte=exc.reporte,
            filas=0,
            totales={},
            checksum=importacion.checksum,
            terminado_en=timezone.now(),
        )
        importacion.refresh_from_db()
    except Exception as exc:
        # Anything unexpected (a lost database connection, a bug): the transaction rolled
        # back; the import must not stay "procesando" for ever. Re-raised for the task's log.
        Importacion.objects.filter(pk=importacion.pk).update(
            estado=Importacion.Estado.ERROR,
            error=f"Error inesperado al importar ({type(exc).__name__}); no se importó nada. Intente de nuevo.",
            terminado_en=timezone.now(),
        )
        raise
    finally:
        if filas is not None:
            filas.close()  # before the file: the reader lets go of it first
        cache.delete(clave_progreso(importacion.pk))
        if propio:
            archivo.close()
    return importacion


def importar_ruta(
    *, fuente: str, release: str, ruta: Path, usuario: Usuario | None = None, permitir_no_reconocidas: bool = False
) -> Importacion:
    """Record and run an import of a file on disk (the management command)."""
    with ruta.open("rb") as archivo:
        importacion = importacion_registrar(
            fuente=fuente,
            release=release,
            archivo=archivo,
            nombre=ruta.name,
            usuario=usuario,
            permitir_no_reconocidas=permitir_no_reconocidas,
        )
        return importacion_ejecutar(importacion, archivo)


def totales_en_bd(importacion: Importacion) -> dict[str, Any]:
    """The totals of an import's rows as stored, in the same shape as ``Importacion.totales``."""
    return {**_totales_filas(importacion), "cifras": CifraOficial.objects.filter(importacion=importacion).count()}


def _totales_filas(importacion: Importacion) -> dict[str, Any]:
    if importacion.fuente in RESUMENES:
        return _totales_resumen(importacion)
    if importacion.fuente in (Fuente.INE_SERMIG_REGIONES, Fuente.INE_SERMIG_COMUNAS):
        consulta = (
            EstimacionExtranjeros.objects.filter(importacion=importacion)
            .values("anio")
            .annotate(n=Count("pk"), **{campo: Sum(campo) for campo in NUMEROS_ESTIMACION})
            .order_by("anio")
        )
        filas: list[dict[str, Any]] = [dict(f) for f in consulta]
        return {
            "filas": sum(f["n"] for f in filas),
            "por_anio": {str(f["anio"]): {campo: f[campo] for campo in NUMEROS_ESTIMACION} for f in filas},
        }
    modelo = RefugioSermig if importacion.fuente == Fuente.SERMIG_REFUGIO else ResidenciaSermig
    conteos = (
        modelo._default_manager.filter(importacion=importacion).values("anio").annotate(n=Count("pk")).order_by("anio")
    )
    return {"filas": sum(c["n"] for c in conteos), "por_anio": {str(c["anio"]): c["n"] for c in conteos}}


def _totales_resumen(importacion: Importacion) -> dict[str, Any]:
    # The región summary's totals are the country's figures; a comuna summary's, the sums of
    # its comunas (the file covers only some comunas).
    if importacion.fuente == Fuente.INE_SERMIG_RESUMEN_REGIONES:
        nivel = Q(region__isnull=True, comuna__isnull=True)
    else:
        nivel = Q(comuna__isnull=False)
    sumas = (
        CifraOficial.objects.filter(nivel, importacion=importacion, categoria="")
        .values("indicador", "anio")
        .annotate(valor=Sum("valor"))
        .order_by("indicador", "anio")
    )
    por_indicador: dict[str, dict[str, int]] = {}
    for s in sumas:
        por_indicador.setdefault(s["indicador"], {})[str(s["anio"])] = s["valor"]
    return {"filas": importacion.filas, "por_indicador": por_indicador}
