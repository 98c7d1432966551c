#!/usr/bin/env python3
"""Backup and restore of Sello Migrante: the PostgreSQL database and the uploaded files.

    DATABASE_URL=postgres://usuario@host:5432/sello python3 scripts/respaldo.py crear [--destino DIR]
    DATABASE_URL=postgres://usuario@host:5432/sello_nueva python3 scripts/respaldo.py restaurar CARPETA

``crear`` writes a folder ``sello-<UTC timestamp>`` (default under var/respaldos) holding
``base.dump`` (``pg_dump -Fc``), ``media.tar.gz`` (the files under DJANGO_MEDIA_ROOT, default
var/media as in the settings) and ``manifiesto.json`` with their SHA-256; the folder appears only
once complete and only its owner can read it (it holds personal data).

``restaurar`` checks the checksums, then restores into the database of DATABASE_URL, which must
exist and be empty (``pg_restore --single-transaction --exit-on-error``: all or nothing), and
unpacks the files into DJANGO_MEDIA_ROOT, which must be empty or absent. It never overwrites.

Only the standard library and PostgreSQL's client programs (pg_dump, pg_restore, psql): it runs
without the project's virtualenv. The password of DATABASE_URL goes to the programs through
PGPASSWORD, never on their command line (visible to every user in ``ps``).
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

RAIZ = Path(__file__).resolve().parent.parent
ESQUEMAS = {"postgres", "postgresql", "pgsql"}
BASE = "base.dump"
MEDIA = "media.tar.gz"
MANIFIESTO = "manifiesto.json"


class ErrorRespaldo(Exception):
    """A refusal or failure with a message for the operator."""


def conexion(url: str) -> tuple[str, dict[str, str]]:
    """The libpq URI without its password, and the environment that carries the password."""
    partes = urlsplit(url)
    if partes.scheme not in ESQUEMAS:
        raise ErrorRespaldo(f"DATABASE_URL debe ser una URL de PostgreSQL (postgres://…), no «{partes.scheme}://…».")
    if not partes.path.strip("/"):
        raise ErrorRespaldo("DATABASE_URL no indica el nombre de la base de datos.")
    entorno = dict(os.environ)
    if partes.password is not None:
        entorno["PGPASSWORD"] = unquote(partes.password)
    usuario = f"{partes.username}@" if partes.username else ""
    servidor = partes.hostname or ""
    if ":" in servidor:  # IPv6 literal
        servidor = f"[{servidor}]"
    puerto = f":{partes.port}" if partes.port else ""
    return urlunsplit(("postgresql", f"{usuario}{servidor}{puerto}", partes.path, partes.query, "")), entorno


def ejecutar(*args: str, entorno: dict[str, str]) -> str:
    # PostgreSQL's own client programs, by name, with arguments built here (no shell).
    resultado = subprocess.run(args, env=entorno, capture_output=True, text=True, check=False)  # noqa: S603
    if resultado.returncode != 0:
        raise ErrorRespaldo(f"{args[0]} falló ({resultado.returncode}): {resultado.stderr.strip()}")
    return resultado.stdout


def sha256(ruta: Path) -> str:
    digest = hashlib.sha256()
    with ruta.open("rb") as archivo:
        for bloque in iter(lambda: archivo.read(1 << 20), b""):
            digest.update(bloque)
    return digest.hexdigest()


def media_root() -> Path:
    return Path(os.environ.get("DJANGO_MEDIA_ROOT") or RAIZ / "var" / "media")


def crear(url: str, destino: Path) -> Path:
    """Dump the database and pack the media files into a new folder under ``destino``."""
    uri, entorno = conexion(url)
    media = media_root()
    destino.mkdir(parents=True, exist_ok=True)
    marca = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = destino / f"sello-{marca}"
    # Built in a hidden sibling and renamed when complete: a half-written backup is never taken
    # for a good one. mkdtemp creates it readable by its owner only.
    parcial = Path(tempfile.mkdtemp(prefix=f".sello-{marca}-", dir=destino))
    try:
        ejecutar("pg_dump", "--format=custom", f"--file={parcial / BASE}", f"--dbname={uri}", entorno=entorno)
        with tarfile.open(parcial / MEDIA, "w:gz") as tar:
            if media.is_dir():
                for hijo in sorted(media.iterdir()):
                    tar.add(hijo, arcname=hijo.name)
        version = ejecutar("pg_dump", "--version", entorno=entorno).strip()
        manifiesto = {
            "creado": datetime.now(UTC).isoformat(timespec="seconds"),
            "pg_dump": version,
            "base_de_datos": urlsplit(url).path.strip("/"),
            "archivos": {nombre: sha256(parcial / nombre) for nombre in (BASE, MEDIA)},
        }
        (parcial / MANIFIESTO).write_text(json.dumps(manifiesto, indent=2, ensure_ascii=False) + "\n")
        for archivo in parcial.iterdir():
            archivo.chmod(0o600)
        parcial.rename(final)
    except BaseException:
        shutil.rmtree(parcial, ignore_errors=True)
        raise
    return final


def verificar(carpeta: Path) -> None:
    """Refuse a backup whose files are missing or do not match their checksums."""
    try:
        esperado = json.loads((carpeta / MANIFIESTO).read_text())["archivos"]
    except (OSError, ValueError, KeyError) as exc:
        raise ErrorRespaldo(f"{carpeta} no es un respaldo válido: falta o está dañado {MANIFIESTO}.") from exc
    for nombre in (BASE, MEDIA):
        ruta = carpeta / nombre
        if not ruta.is_file() or sha256(ruta) != esperado.get(nombre):
            raise ErrorRespaldo(f"{ruta}: falta o no coincide con su suma SHA-256; no se restaura nada.")


def restaurar(url: str, carpeta: Path) -> None:
    """Restore ``carpeta`` into the (empty) database of ``url`` and the (empty) media folder."""
    verificar(carpeta)
    uri, entorno = conexion(url)
    media = media_root()
    if media.exists() and any(media.iterdir()):
        raise ErrorRespaldo(f"La carpeta de archivos {media} no está vacía; no se restaura nada.")
    tablas = ejecutar(
        "psql",
        "--no-psqlrc",
        "--tuples-only",
        "--no-align",
        f"--dbname={uri}",
        "--command=SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        entorno=entorno,
    )
    if int(tablas.strip() or 0):
        raise ErrorRespaldo("La base de datos de destino no está vacía; cree una nueva (createdb) y restaure en ella.")
    ejecutar(
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={uri}",
        str(carpeta / BASE),
        entorno=entorno,
    )
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(carpeta / MEDIA, "r:gz") as tar:
        # The "data" filter refuses absolute paths, "..", links out of the folder and devices.
        tar.extractall(media, filter="data")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Respaldo y restauración de Sello Migrante (base y archivos).")
    ordenes = parser.add_subparsers(dest="orden", required=True)
    orden_crear = ordenes.add_parser("crear", help="crear un respaldo")
    orden_crear.add_argument("--destino", type=Path, default=RAIZ / "var" / "respaldos")
    orden_restaurar = ordenes.add_parser("restaurar", help="restaurar un respaldo en una base de datos vacía")
    orden_restaurar.add_argument("carpeta", type=Path)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    try:
        if not url:
            raise ErrorRespaldo("Defina DATABASE_URL (postgres://usuario@host:5432/base).")
        if args.orden == "crear":
            print(crear(url, args.destino))
        else:
            restaurar(url, args.carpeta)
            print(f"Restaurado {args.carpeta} en {urlsplit(url).path.strip('/')} y {media_root()}")
    except ErrorRespaldo as exc:
        print(f"respaldo: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
