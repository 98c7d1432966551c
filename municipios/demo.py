"""Demo data of the territory: office data of the demo municipalities and the demo users."""

from dataclasses import dataclass

from django.db import transaction

from .models import Municipalidad, Region, Rol, Usuario

DEMO_PASSWORD = "demo1234"  # noqa: S105 - documented demo credential, refused when DEBUG is off


@dataclass(frozen=True)
class UsuarioDemo:
    username: str
    nombre: str
    apellido: str
    rol: Rol
    region: str | None = None
    comuna: str | None = None


USUARIOS = [
    UsuarioDemo("nacional", "Carolina", "Fuentes", Rol.NACIONAL),
    UsuarioDemo("regional.rm", "Rodrigo", "Salinas", Rol.REGIONAL, region="13"),
    UsuarioDemo("regional.valparaiso", "Valentina", "Araya", Rol.REGIONAL, region="05"),
    UsuarioDemo("muni.independencia", "Ignacio", "Pérez", Rol.MUNICIPAL, comuna="13108"),
    UsuarioDemo("muni.quilicura", "Daniela", "Rojas", Rol.MUNICIPAL, comuna="13125"),
    UsuarioDemo("muni.valparaiso", "Francisca", "Muñoz", Rol.MUNICIPAL, comuna="05101"),
    UsuarioDemo("evaluador", "Eduardo", "Vidal", Rol.EVALUADOR),
]

OFICINAS = {
    "13108": {
        "alcalde_tratamiento": "alcalde",
        "oficina_nombre": "Oficina de Migrantes e Interculturalidad",
        "oficina_dependencia": "DIDECO",
        "oficina_direccion": "Av. Independencia 753, Independencia",
        "oficina_telefono": "+56 2 2599 5000",
        "oficina_email": "migrantes@independencia.example.cl",
    },
    "13125": {
        "alcalde_tratamiento": "alcalde",
        "oficina_nombre": "Oficina de Migrantes y Refugiados",
        "oficina_dependencia": "DIDECO",
        "oficina_direccion": "José Francisco Vergara 0395, Quilicura",
        "oficina_telefono": "+56 2 2944 1000",
        "oficina_email": "migrantes@quilicura.example.cl",
    },
    "05101": {
        "alcalde_tratamiento": "alcaldesa",
        "oficina_nombre": "Oficina Municipal de Migrantes",
        "oficina_dependencia": "DIDECO",
        "oficina_direccion": "Condell 1490, Valparaíso",
        "oficina_telefono": "+56 32 293 9000",
        "oficina_email": "migrantes@valparaiso.example.cl",
    },
    "13501": {
        "alcalde_tratamiento": "alcalde",
        "oficina_nombre": "Oficina de Inclusión Migrante",
        "oficina_dependencia": "DIDECO",
        "oficina_direccion": "Serrano 315, Melipilla",
        "oficina_email": "migrantes@melipilla.example.cl",
    },
    "13502": {
        "alcalde_tratamiento": "alcalde",
        "oficina_nombre": "Programa Migrantes",
        "oficina_dependencia": "DIDECO",
        "oficina_direccion": "Av. Manuel Antonio Matta s/n, Alhué",
    },
}


@transaction.atomic
def sembrar_territorio() -> list[Usuario]:
    """Create or reset the demo users and the office data of the demo municipalities."""
    usuarios = []
    for demo in USUARIOS:
        municipalidad = Municipalidad.objects.get(comuna_id=demo.comuna) if demo.comuna else None
        usuario, _ = Usuario.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.nombre,
                "last_name": demo.apellido,
                "email": f"{demo.username}@demo.sello.example.cl",
                "rol": demo.rol,
                "region": Region.objects.get(cut=demo.region) if demo.region else None,
                "municipalidad": municipalidad,
                "is_staff": demo.rol in (Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR),
                "is_active": True,
            },
        )
        usuario.set_password(DEMO_PASSWORD)
        usuario.save(update_fields=["password"])
        usuarios.append(usuario)

    contactos = {u.region_id: u for u in usuarios if u.rol == Rol.REGIONAL}
    encargados = {u.municipalidad.comuna_id: u for u in usuarios if u.municipalidad}
    for cut, datos in OFICINAS.items():
        municipalidad = Municipalidad.objects.select_related("comuna").get(comuna_id=cut)
        for campo, valor in datos.items():
            setattr(municipalidad, campo, valor)
        encargado = encargados.get(cut)
        if encargado:
            municipalidad.encargado_nombre = encargado.get_full_name()
            municipalidad.encargado_email = encargado.email
        municipalidad.contacto_regional = contactos.get(municipalidad.comuna.region_id)
        municipalidad.save()
    return usuarios
