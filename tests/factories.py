"""factory_boy factories for the test suite."""

import factory

from municipios.models import Municipalidad, Rol, Usuario


class UsuarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Usuario
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"usuario{n}")
    first_name = "Ana"
    last_name = "Pruebas"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cl")
    password = factory.django.Password("clave-de-prueba-1")
    rol = ""
    is_active = True

    @classmethod
    def municipal(cls, cut: str, **kwargs: object) -> Usuario:
        return cls(rol=Rol.MUNICIPAL, municipalidad=Municipalidad.objects.get(comuna_id=cut), **kwargs)

    @classmethod
    def regional(cls, region: str, **kwargs: object) -> Usuario:
        return cls(rol=Rol.REGIONAL, region_id=region, is_staff=True, **kwargs)
