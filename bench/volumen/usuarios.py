"""The staff of the volume data: one municipal officer per comuna (``vol.muni.<cut>``), three
regional officers per región (``vol.regional.<región>``, ``….2``, ``….3``), national staff
and evaluators. No known password: every one is unusable (``!`` prefix), as
``set_unusable_password`` leaves it."""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from municipios.models import Municipalidad, Region, Rol, Usuario

from . import escala, textos

PREFIJO = "vol."


@dataclass
class Personal:
    municipal: dict[str, int] = field(default_factory=dict)  # cut → id
    regionales: dict[str, list[int]] = field(default_factory=dict)  # región → ids
    nacionales: list[int] = field(default_factory=list)
    evaluadores: list[int] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        todos = list(self.municipal.values()) + self.nacionales + self.evaluadores
        for ids in self.regionales.values():
            todos += ids
        return todos


def nombre_regional(region: str, i: int) -> str:
    return f"{PREFIJO}regional.{region}" + (f".{i + 1}" if i else "")


def _nuevo(rng: random.Random, username: str, rol: str, **territorio: object) -> Usuario:
    mujer = rng.random() < 0.55
    return Usuario(
        username=username,
        # Unusable and unguessable: nobody can log in as volume staff.
        password=UNUSABLE_PASSWORD_PREFIX + f"{rng.getrandbits(160):040x}",
        first_name=rng.choice(textos.NOMBRES_MUJER if mujer else textos.NOMBRES_HOMBRE).split()[0],
        last_name=rng.choice(textos.APELLIDOS),
        email=f"{username}@volumen.example.cl",
        rol=rol,
        is_staff=rol != Rol.MUNICIPAL,
        is_active=True,
        date_joined=timezone.now() - timedelta(days=365 * escala.ANIOS + 30),
        **territorio,
    )


def crear(semilla: int) -> Personal:
    """Create the staff that is missing (all of it on a fresh database) and return every id."""
    rng = random.Random(f"{semilla}:usuarios")  # noqa: S311 - reproducible data, not secrets
    existentes = set(Usuario.objects.filter(username__startswith=PREFIJO).values_list("username", flat=True))
    nuevos = []
    for municipalidad_id, cut in Municipalidad.objects.order_by("comuna_id").values_list("pk", "comuna_id"):
        nuevos.append(_nuevo(rng, f"{PREFIJO}muni.{cut}", Rol.MUNICIPAL, municipalidad_id=municipalidad_id))
    for region in Region.objects.order_by("cut").values_list("cut", flat=True):
        for i in range(escala.REGIONALES_POR_REGION):
            nuevos.append(_nuevo(rng, nombre_regional(region, i), Rol.REGIONAL, region_id=region))
    for i in range(escala.NACIONALES):
        nuevos.append(_nuevo(rng, f"{PREFIJO}nacional.{i + 1}", Rol.NACIONAL))
    for i in range(escala.EVALUADORES):
        nuevos.append(_nuevo(rng, f"{PREFIJO}evaluador.{i + 1}", Rol.EVALUADOR))
    faltan = [u for u in nuevos if u.username not in existentes]
    if faltan:
        bulk_create_with_history(faltan, Usuario, batch_size=1000)
    return cargar()


def cargar() -> Personal:
    personal = Personal()
    filas = Usuario.objects.filter(username__startswith=PREFIJO).order_by("username")
    for pk, rol, region, cut in filas.values_list("pk", "rol", "region_id", "municipalidad__comuna_id"):
        if rol == Rol.MUNICIPAL:
            personal.municipal[cut] = pk
        elif rol == Rol.REGIONAL:
            personal.regionales.setdefault(region, []).append(pk)
        elif rol == Rol.NACIONAL:
            personal.nacionales.append(pk)
        elif rol == Rol.EVALUADOR:
            personal.evaluadores.append(pk)
    return personal
