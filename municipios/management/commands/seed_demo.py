"""``python manage.py seed_demo``: a realistic, reproducible demo (PRODUCT.md §8)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from municipios.demo import DEMO_PASSWORD, sembrar_territorio


class Command(BaseCommand):
    help = "Crea los datos y usuarios de demostración (solo con DEBUG activo)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo se niega a correr con DEBUG desactivado: crea usuarios con contraseña conocida."
            )
        from django.db import transaction

        from capacitaciones.demo import sembrar_capacitaciones
        from casos.demo import sembrar_casos
        from estadisticas.demo import cargar_oficiales, generar_minutas_demo
        from sello.demo import sembrar_sello

        with transaction.atomic():
            usuarios = sembrar_territorio()
            adhesiones = sembrar_sello({u.username: u for u in usuarios})
            casos = sembrar_casos({u.username: u for u in usuarios})
            capacitaciones = sembrar_capacitaciones({u.username: u for u in usuarios})
        cargar_oficiales()
        minutas = generar_minutas_demo(a.municipalidad.comuna_id for a in adhesiones.values())
        self.stdout.write(self.style.SUCCESS("Datos de demostración listos."))
        self.stdout.write(f"Usuarios (contraseña «{DEMO_PASSWORD}»):")
        for usuario in usuarios:
            territorio = usuario.municipalidad or usuario.region or "—"
            self.stdout.write(f"  {usuario.username:<22} {usuario.get_rol_display():<32} {territorio}")
        self.stdout.write(f"Casos de demostración: {len(casos)}")
        self.stdout.write(
            f"Capacitaciones: {len(capacitaciones.capacitaciones)} ({capacitaciones.certificados} certificados) · "
            f"operativos: {len(capacitaciones.dispositivos)} · buenas prácticas: {len(capacitaciones.practicas)}"
        )
        self.stdout.write(f"Minutas estadísticas comunales: {len(minutas)} ({minutas[0].periodo if minutas else '—'})")
        self.stdout.write("Sello Migrante:")
        for adhesion in adhesiones.values():
            self.stdout.write(
                f"  {adhesion.municipalidad.nombre:<36} ciclo {adhesion.ciclo} · {adhesion.get_estado_display()}"
            )
