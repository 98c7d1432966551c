"""``python -m bench [--comunas N] [--salida PATH] [--solo NAME]`` (what ``make bench`` runs).

Creates the benchmark database named in DATABASE_URL when it is missing and migrates it,
then hands over to ``bench.runner``. ``BENCH_COMUNAS=N`` limits the run to N comunas.
"""

import argparse
import os
from pathlib import Path


def _crear_base() -> None:
    """CREATE DATABASE for DATABASE_URL's database if it does not exist yet."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    nombre = config["NAME"]
    conexion = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )
    with psycopg.connect(conexion, autocommit=True) as db:
        if db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nombre]).fetchone() is None:
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nombre)))
            print(f"bench: created database {nombre}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmarks measured as ratios.")
    limite = os.environ.get("BENCH_COMUNAS")
    parser.add_argument("--comunas", type=int, default=int(limite) if limite else None, help="only N comunas")
    parser.add_argument("--salida", type=Path, default=None, help="report path (default docs/benchmarks.md)")
    parser.add_argument("--solo", action="append", help="run only this benchmark (repeatable)")
    opciones = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _crear_base()
    import django

    django.setup()
    from django.core.management import call_command

    from . import runner

    call_command("migrate", verbosity=0, interactive=False)
    runner.ejecutar(comunas=opciones.comunas, salida=opciones.salida or runner.INFORME, solo=opciones.solo)


if __name__ == "__main__":
    main()
