"""``python manage.py seed_volume --casos N``: national-scale volume data for the benchmarks
(issue 7), written with PostgreSQL COPY. The work is in ``bench.volumen``."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Llena PostgreSQL con datos de volumen reproducibles (casos, personas, capacitaciones, sello…) "
        "en las 346 comunas. Se salta si ya están; --reset los reemplaza."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--casos", type=int, default=1_000_000, help="número de casos (por defecto 1.000.000)")
        parser.add_argument("--semilla", type=int, default=None, help="semilla (por defecto 346)")
        parser.add_argument("--hoy", type=date.fromisoformat, default=None, help="fecha final AAAA-MM-DD")
        parser.add_argument("--reset", action="store_true", help="borra antes los datos de volumen")
        parser.add_argument(
            "--forzar", action="store_true", help="permitir con DEBUG desactivado en una base que no es de benchmark"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from bench import volumen
        from bench.volumen import escala

        if options["casos"] < 1:
            raise CommandError("--casos debe ser positivo.")
        try:
            volumen.verificar_entorno(forzar=options["forzar"], reset=options["reset"])
            resultado = volumen.asegurar(
                casos_n=options["casos"],
                semilla=options["semilla"] if options["semilla"] is not None else escala.SEMILLA,
                reset=options["reset"],
                hoy=options["hoy"],
                consola=self.stdout if options["verbosity"] > 0 else None,
            )
        except volumen.VolumenError as exc:
            raise CommandError(str(exc)) from exc
        if not resultado.sembrado:
            self.stdout.write(f"Datos de volumen ya presentes ({resultado.casos:,} casos): nada que hacer.")
            return
        self.stdout.write(self.style.SUCCESS(f"{resultado.casos:,} casos sembrados en {resultado.segundos:.0f} s."))
        self.stdout.write("Tiempo por tabla:")
        for linea in resultado.tiempos:
            self.stdout.write(linea)
        self.stdout.write("Tamaño de las tablas (filas estimadas, con índices):")
        for tabla, filas, bytes_ in resultado.tamanos:
            self.stdout.write(f"  {tabla:<48} {filas:>11,} rows {bytes_ / 2**20:>9.1f} MiB")
