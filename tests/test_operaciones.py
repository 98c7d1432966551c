"""Backup and restore (scripts/respaldo.py): a backup of the test database restored into a fresh
database holds the same rows, table by table (count and checksum), the same sequence positions
and the same uploaded files; a damaged backup or a non-empty target is refused."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from capacitaciones.models import Capacitacion
from casos.models import Caso, Mensaje
from estadisticas.models import Minuta
from municipios.models import Usuario

from .casos_fixtures import caso, mensaje, persona

# pg_dump reads through its own connection: the rows must be committed.
transaccional = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "respaldo.py"

# Per table: rows and an md5 of the rows as text in primary-key order (a whole-row checksum).
RESUMEN_TABLA = """
SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY {orden})), '')
FROM {tabla} AS t
"""
CLAVES = """
SELECT c.relname, array_agg(a.attname ORDER BY array_position(i.indkey, a.attnum))
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
WHERE c.relkind = 'r'
GROUP BY c.relname
"""


def url(nombre: str) -> str:
    datos = connection.settings_dict
    clave = f":{datos['PASSWORD']}" if datos["PASSWORD"] else ""
    return f"postgres://{datos['USER']}{clave}@{datos['HOST'] or '127.0.0.1'}:{datos['PORT'] or 5432}/{nombre}"


def conectar(nombre: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url(nombre).replace("postgres://", "postgresql://", 1), autocommit=True)


def foto(nombre: str) -> dict[str, Any]:
    """Every table of the public schema -> (rows, checksum); every sequence -> its position."""
    with conectar(nombre) as con:
        tablas: dict[str, tuple[int, str]] = {}
        for tabla, claves in con.execute(CLAVES).fetchall():
            orden = (
                sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in claves)
                if claves and claves[0] is not None
                else sql.SQL("t::text")
            )
            consulta = sql.SQL(RESUMEN_TABLA).format(orden=orden, tabla=sql.Identifier(tabla))
            fila = con.execute(consulta).fetchone()
            assert fila is not None
            tablas[tabla] = (fila[0], fila[1])
        secuencias = dict(
            con.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'").fetchall()
        )
    return {"tablas": tablas, "secuencias": secuencias}


def respaldo(*args: str, database_url: str, media: Path) -> subprocess.CompletedProcess[str]:
    entorno = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url, "DJANGO_MEDIA_ROOT": str(media)}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=entorno, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def base_nueva() -> Iterator[str]:
    """A fresh, empty database, dropped afterwards."""
    nombre = f"{connection.settings_dict['NAME']}_restaurada"
    with conectar("postgres") as con:
        con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nombre)))
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nombre)))
    try:
        yield nombre
    finally:
        with conectar("postgres") as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nombre)))


@pytest.fixture
def datos(municipal, municipal_otra, regional, nacional, tmp_path: Path) -> Path:
    """Cases with people and messages, a minuta, users, and two uploaded files."""
    for oficial in (municipal, municipal_otra):
        for n in range(3):
            c = caso(oficial, persona_obj=persona(oficial, nombres=f"Persona {n}", email=f"p{n}@example.cl"))
            mensaje(c, oficial, "Se agenda entrevista.")
    Minuta.objects.create(comuna_id="13108", periodo="2026-S1", version_plantilla=1, solicitada_por=nacional)
    media = tmp_path / "media"
    (media / "evidencias" / "2026").mkdir(parents=True)
    (media / "evidencias" / "2026" / "acta.pdf").write_bytes(b"%PDF-1.7 acta\n" * 100)
    (media / "minutas" / "13108").mkdir(parents=True)
    (media / "minutas" / "13108" / "2026-S1.pdf").write_bytes(bytes(range(256)) * 40)
    return media


def archivos(carpeta: Path) -> dict[str, bytes]:
    return {str(p.relative_to(carpeta)): p.read_bytes() for p in sorted(carpeta.rglob("*")) if p.is_file()}


@transaccional
def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
    datos: Path, base_nueva: str, tmp_path: Path
) -> None:
    # Given the test database with cases, people, messages, a minuta and users, and two files
    origen = connection.settings_dict["NAME"]
    assert (Caso.objects.count(), Mensaje.objects.count(), Minuta.objects.count()) == (6, 6, 1)
    assert Usuario.objects.count() == 4

    # When it is backed up and restored into a fresh database and an empty media folder
    creado = respaldo("crear", "--destino", str(tmp_path / "respaldos"), database_url=url(origen), media=datos)
    assert creado.returncode == 0, creado.stderr
    carpeta = Path(creado.stdout.strip())
    assert sorted(p.name for p in carpeta.iterdir()) == ["base.dump", "manifiesto.json", "media.tar.gz"]
    assert oct(carpeta.stat().st_mode & 0o777) == "0o700"  # personal data: owner only
    assert (carpeta / "base.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    restaurada = tmp_path / "media-restaurada"
    restaurado = respaldo("restaurar", str(carpeta), database_url=url(base_nueva), media=restaurada)
    assert restaurado.returncode == 0, restaurado.stderr

    # Then every table has the same rows (count and checksum), every sequence the same position
    antes, despues = foto(origen), foto(base_nueva)
    assert despues == antes
    assert len(antes["tablas"]) > 40
    assert antes["tablas"]["casos_caso"][0] == 6
    assert antes["tablas"]["casos_persona"][0] == 6
    assert antes["tablas"]["estadisticas_minuta"][0] == 1
    assert antes["tablas"]["municipios_usuario"][0] == 4
    assert antes["tablas"]["municipios_comuna"][0] == 346
    assert Capacitacion._meta.db_table in antes["tablas"]
    # And the same files, byte for byte
    assert archivos(restaurada) == archivos(datos)
    assert len(archivos(datos)) == 2


@transaccional
def test_a_damaged_backup_is_refused_and_nothing_is_restored(datos: Path, base_nueva: str, tmp_path: Path) -> None:
    creado = respaldo(
        "crear", "--destino", str(tmp_path), database_url=url(connection.settings_dict["NAME"]), media=datos
    )
    assert creado.returncode == 0, creado.stderr
    carpeta = Path(creado.stdout.strip())
    dump = carpeta / "base.dump"
    contenido = bytearray(dump.read_bytes())
    contenido[200] ^= 0xFF  # one flipped byte
    dump.write_bytes(bytes(contenido))

    restaurada = tmp_path / "media-restaurada"
    resultado = respaldo("restaurar", str(carpeta), database_url=url(base_nueva), media=restaurada)

    assert resultado.returncode == 1
    assert "base.dump: falta o no coincide con su suma SHA-256" in resultado.stderr
    assert foto(base_nueva)["tablas"] == {}
    assert not restaurada.exists()


@transaccional
def test_it_never_restores_over_a_database_that_has_tables(datos: Path, tmp_path: Path) -> None:
    origen = connection.settings_dict["NAME"]
    creado = respaldo("crear", "--destino", str(tmp_path), database_url=url(origen), media=datos)
    assert creado.returncode == 0, creado.stderr
    antes = foto(origen)

    resultado = respaldo(
        "restaurar", creado.stdout.strip(), database_url=url(origen), media=tmp_path / "media-restaurada"
    )

    assert resultado.returncode == 1
    assert "La base de datos de destino no está vacía" in resultado.stderr
    assert foto(origen) == antes


@transaccional
def test_it_never_restores_over_files(datos: Path, base_nueva: str, tmp_path: Path) -> None:
    creado = respaldo(
        "crear", "--destino", str(tmp_path), database_url=url(connection.settings_dict["NAME"]), media=datos
    )
    assert creado.returncode == 0, creado.stderr

    resultado = respaldo("restaurar", creado.stdout.strip(), database_url=url(base_nueva), media=datos)

    assert resultado.returncode == 1
    assert "no está vacía" in resultado.stderr
    assert foto(base_nueva)["tablas"] == {}


@pytest.mark.parametrize(
    ("database_url", "mensaje_error"),
    [
        ("", "Defina DATABASE_URL"),
        ("sqlite:///db.sqlite3", "debe ser una URL de PostgreSQL"),
        ("postgres://postgres@127.0.0.1:5432/", "no indica el nombre de la base de datos"),
    ],
)
def test_it_needs_a_postgresql_url(database_url: str, mensaje_error: str, tmp_path: Path) -> None:
    resultado = respaldo("crear", "--destino", str(tmp_path), database_url=database_url, media=tmp_path)

    assert resultado.returncode == 1
    assert mensaje_error in resultado.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_password_goes_through_the_environment_not_the_command_line() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import respaldo as modulo
    finally:
        sys.path.remove(str(SCRIPT.parent))

    uri, entorno = modulo.conexion("postgres://sello:cl%40ve@db.interna:5433/sello?sslmode=require")

    assert uri == "postgresql://sello@db.interna:5433/sello?sslmode=require"
    assert entorno["PGPASSWORD"] == "cl@ve"
