"""``manage.py importar_oficial --fuente F --release R ARCHIVO``: import an official file."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from estadisticas import services
from estadisticas.importadores import ErrorDeImportacion
from estadisticas.models import Fuente, Importacion


class Command(BaseCommand):
    help = "Importa un archivo oficial (INE-SERMIG o SERMIG) y muestra filas y totales."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archivo", type=Path)
        parser.add_argument("--fuente", required=True, choices=Fuente.values)
        parser.add_argument("--release", required=True, help="Publicación, por ejemplo 2023-12.")
        parser.add_argument(
            "--permitir-no-reconocidas",
            action="store_true",
            help="Importar las filas reconocidas y dejar las comunas no reconocidas en el reporte.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ruta: Path = options["archivo"]
        if not ruta.is_file():
            raise CommandError(f"No existe el archivo {ruta}.")
        try:
            importacion = services.importar_ruta(
                fuente=options["fuente"],
                release=options["release"],
                ruta=ruta,
                permitir_no_reconocidas=options["permitir_no_reconocidas"],
            )
        except ErrorDeImportacion as exc:
            raise CommandError(exc.mensaje) from exc
        if importacion.estado != Importacion.Estado.COMPLETADA:
            raise CommandError(f"Importación {importacion.pk} con error: {importacion.error}")
        self.stdout.write(f"Importación {importacion.pk}: {importacion.filas} filas (SHA-256 {importacion.checksum})")
        self.stdout.write(json.dumps(importacion.totales, ensure_ascii=False, indent=2))
        for clave in ("notas", "region_ignorada", "sin_region"):
            if importacion.reporte.get(clave):
                self.stdout.write(f"{clave}: {json.dumps(importacion.reporte[clave], ensure_ascii=False)}")
        if importacion.reporte.get("no_reconocidas"):
            self.stdout.write("Comunas no reconocidas (no importadas):")
            self.stdout.write(json.dumps(importacion.reporte["no_reconocidas"], ensure_ascii=False, indent=2))
