"""``--reset``: remove the volume data, and only it.

Volume rows are recognised by their authors (the ``vol.*`` staff: cases, personas, trainings,
devices, minuta jobs) and seal adhesions by their ``@volumen.example.cl`` contact. The
database's foreign keys have no ON DELETE CASCADE (Django cascades in Python), so children go
first. On a benchmark or volume database (its name says ``bench`` or ``vol``) whose case
tables hold nothing else, those tables are truncated instead: a million-row DELETE is slow
and leaves the tables bloated for the next seed.
"""

from django.db import connection
from django.db.backends.utils import CursorWrapper

from .usuarios import PREFIJO

# Constant SQL (no user input anywhere in this module).
USUARIOS = f"SELECT id FROM municipios_usuario WHERE username LIKE '{PREFIJO}%'"  # noqa: S608
CASOS = f"SELECT id FROM casos_caso WHERE creado_por_id IN ({USUARIOS})"  # noqa: S608
CAPACITACIONES = f"SELECT id FROM capacitaciones_capacitacion WHERE creada_por_id IN ({USUARIOS})"  # noqa: S608
INSCRIPCIONES = f"SELECT id FROM capacitaciones_inscripcion WHERE capacitacion_id IN ({CAPACITACIONES})"  # noqa: S608
ADHESIONES = "SELECT id FROM sello_adhesion WHERE encargado_email LIKE '%@volumen.example.cl'"
PLANES = f"SELECT id FROM sello_plantrabajo WHERE adhesion_id IN ({ADHESIONES})"  # noqa: S608

TABLAS_CASOS = [
    "casos_accesosensible",
    "casos_historicalmensaje",
    "casos_mensaje",
    "casos_transicioncaso",
    "casos_historicalcaso",
    "casos_caso",
    "casos_historicalpersona",
    "casos_persona",
]
BORRADOS = [
    ("casos_accesosensible", f"caso_id IN ({CASOS})"),
    ("casos_historicalmensaje", f"caso_id IN ({CASOS})"),
    ("casos_mensaje", f"caso_id IN ({CASOS})"),
    ("casos_transicioncaso", f"caso_id IN ({CASOS})"),
    ("casos_historicalcaso", f"creado_por_id IN ({USUARIOS})"),
    ("casos_caso", f"creado_por_id IN ({USUARIOS})"),
    ("casos_historicalpersona", f"creada_por_id IN ({USUARIOS})"),
    ("casos_persona", f"creada_por_id IN ({USUARIOS})"),
    ("capacitaciones_encuesta", f"inscripcion_id IN ({INSCRIPCIONES})"),
    ("capacitaciones_certificadocapacitacion", f"inscripcion_id IN ({INSCRIPCIONES})"),
    ("capacitaciones_asistencia", f"inscripcion_id IN ({INSCRIPCIONES})"),
    ("capacitaciones_inscripcion", f"capacitacion_id IN ({CAPACITACIONES})"),
    ("capacitaciones_sesion", f"capacitacion_id IN ({CAPACITACIONES})"),
    ("capacitaciones_invitacion", f"capacitacion_id IN ({CAPACITACIONES})"),
    ("capacitaciones_capacitacion", f"creada_por_id IN ({USUARIOS})"),
    ("capacitaciones_dispositivoterritorial", f"registrado_por_id IN ({USUARIOS})"),
    ("sello_certificado", f"adhesion_id IN ({ADHESIONES})"),
    ("sello_decisioncomite", f"adhesion_id IN ({ADHESIONES})"),
    ("sello_evaluacion", f"adhesion_id IN ({ADHESIONES})"),
    ("sello_puntaje", f"adhesion_id IN ({ADHESIONES})"),
    ("sello_recordatorio", f"adhesion_id IN ({ADHESIONES})"),
    ("sello_transicionsello", f"adhesion_id IN ({ADHESIONES})"),
    ("sello_evidencia", f"adhesion_id IN ({ADHESIONES})"),
    ("sello_accionplan", f"plan_id IN ({PLANES})"),
    ("sello_plantrabajo", f"adhesion_id IN ({ADHESIONES})"),
    ("sello_adhesion", f"id IN ({ADHESIONES})"),
    ("estadisticas_minuta", f"solicitada_por_id IN ({USUARIOS})"),
]


def _solo_volumen(cursor: CursorWrapper) -> bool:
    """Whether every case and persona was written by the volume staff."""
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM casos_caso WHERE creado_por_id NOT IN ({USUARIOS})) "  # noqa: S608
        f"OR EXISTS (SELECT 1 FROM casos_persona WHERE creada_por_id NOT IN ({USUARIOS}))"
    )
    return not cursor.fetchone()[0]


def _referencias_a_usuarios(cursor: CursorWrapper) -> list[tuple[str, str, bool]]:
    """Every (table, column, nullable) with a foreign key to the users table."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, a.attname, NOT a.attnotnull FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.confrelid = 'municipios_usuario'::regclass"
    )
    return [(str(t), str(c), bool(n)) for t, c, n in cursor.fetchall()]


def borrar() -> None:
    """Delete the volume data and the volume staff (inside the caller's transaction)."""
    nombre = str(connection.settings_dict.get("NAME") or "")
    with connection.cursor() as cursor:
        if ("bench" in nombre or "vol" in nombre) and _solo_volumen(cursor):
            cursor.execute(f"TRUNCATE {', '.join(TABLAS_CASOS)}")
        for tabla, condicion in BORRADOS:
            cursor.execute(f"DELETE FROM {tabla} WHERE {condicion}")  # noqa: S608 - constant SQL
        # What the application itself wrote for the volume staff (notifications, tokens, audit
        # rows): nullable references are cleared, the others deleted.
        for tabla, columna, nulable in _referencias_a_usuarios(cursor):
            if tabla == "municipios_usuario":
                continue
            if nulable:
                cursor.execute(f"UPDATE {tabla} SET {columna} = NULL WHERE {columna} IN ({USUARIOS})")  # noqa: S608
            else:
                cursor.execute(f"DELETE FROM {tabla} WHERE {columna} IN ({USUARIOS})")  # noqa: S608
        cursor.execute(f"DELETE FROM municipios_historicalusuario WHERE id IN ({USUARIOS})")  # noqa: S608
        # Folio counters back to the cases that remain, so a new seed numbers them the same way.
        cursor.execute(
            "UPDATE casos_secuenciafolio s SET ultimo = COALESCE(("
            "SELECT MAX(split_part(c.folio, '-', 3)::int) FROM casos_caso c "
            "WHERE c.comuna_id = s.comuna_id AND c.folio LIKE s.comuna_id || '-' || s.anio || '-%'), 0)"
        )
        cursor.execute(f"DELETE FROM municipios_usuario WHERE id IN ({USUARIOS})")  # noqa: S608
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: the deletes above leave trigger
        # events pending until commit, and PostgreSQL refuses to drop or create an index on a
        # table with pending events (the seed that follows rebuilds the case tables' indexes).
        # Checking them now empties the queue; the seed defers its own again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
