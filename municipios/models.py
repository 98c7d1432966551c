"""Territory (regiones, provincias, comunas keyed by CUT), municipalities and users' roles."""

import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """A región, keyed by its two-digit CUT code ("13")."""

    cut = models.CharField(_("código CUT"), max_length=2, primary_key=True)
    nombre = models.CharField(_("nombre oficial"), max_length=120)
    nombre_corto = models.CharField(_("nombre"), max_length=80)
    numero_romano = models.CharField(_("número romano"), max_length=5)
    abreviatura = models.CharField(_("abreviatura"), max_length=10)
    iso_3166_2 = models.CharField(_("código ISO 3166-2"), max_length=6)
    orden_norte_sur = models.PositiveSmallIntegerField(_("orden norte-sur"), unique=True)

    class Meta:
        verbose_name = _("región")
        verbose_name_plural = _("regiones")
        ordering = ["orden_norte_sur"]
        constraints = [
            models.CheckConstraint(condition=Q(cut__regex=r"^[0-9]{2}$"), name="region_cut_2_digitos"),
        ]

    def __str__(self) -> str:
        return self.nombre_corto


class Provincia(models.Model):
    """A provincia, keyed by its three-digit CUT code ("131")."""

    cut = models.CharField(_("código CUT"), max_length=3, primary_key=True)
    nombre = models.CharField(_("nombre"), max_length=80)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provincias", verbose_name=_("región"))

    class Meta:
        verbose_name = _("provincia")
        verbose_name_plural = _("provincias")
        ordering = ["cut"]
        constraints = [
            models.CheckConstraint(condition=Q(cut__regex=r"^[0-9]{3}$"), name="provincia_cut_3_digitos"),
        ]

    def __str__(self) -> str:
        return self.nombre


class Comuna(models.Model):
    """A comuna, keyed by its five-digit CUT code ("13108" Independencia). Never keyed on names."""

    cut = models.CharField(_("código CUT"), max_length=5, primary_key=True)
    nombre = models.CharField(_("nombre"), max_length=80, db_index=True)
    provincia = models.ForeignKey(
        Provincia, on_delete=models.PROTECT, related_name="comunas", verbose_name=_("provincia")
    )
    # Denormalised from provincia so that region scoping is a single indexed join.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="comunas", verbose_name=_("región"))

    class Meta:
        verbose_name = _("comuna")
        verbose_name_plural = _("comunas")
        ordering = ["cut"]
        constraints = [
            models.CheckConstraint(condition=Q(cut__regex=r"^[0-9]{5}$"), name="comuna_cut_5_digitos"),
        ]

    def __str__(self) -> str:
        return self.nombre


class PoblacionComuna(models.Model):
    """Population of a comuna for a year, with its source (Censo 2017 or an INE projection)."""

    class Fuente(models.TextChoices):
        CENSO_2017 = "censo_2017", _("Censo 2017 (INE)")
        PROYECCION_INE = "proyeccion_ine", _("Proyección de población INE (base 2017)")

    comuna = models.ForeignKey(Comuna, on_delete=models.CASCADE, related_name="poblaciones", verbose_name=_("comuna"))
    anio = models.PositiveSmallIntegerField(_("año"))
    fuente = models.CharField(_("fuente"), max_length=20, choices=Fuente.choices)
    total = models.PositiveIntegerField(_("población total"))
    hombres = models.PositiveIntegerField(_("hombres"), null=True, blank=True)
    mujeres = models.PositiveIntegerField(_("mujeres"), null=True, blank=True)

    class Meta:
        verbose_name = _("población comunal")
        verbose_name_plural = _("poblaciones comunales")
        ordering = ["comuna_id", "fuente", "anio"]
        constraints = [
            models.UniqueConstraint(fields=["comuna", "fuente", "anio"], name="poblacion_unica_por_comuna_fuente_anio"),
        ]

    def __str__(self) -> str:
        return f"{self.comuna_id} {self.get_fuente_display()} {self.anio}: {self.total}"


class Rol(models.TextChoices):
    MUNICIPAL = "municipal", _("Funcionario/a municipal")
    REGIONAL = "regional", _("Equipo regional SERMIG")
    NACIONAL = "nacional", _("Coordinación nacional SERMIG")
    EVALUADOR = "evaluador", _("Comité Evaluador")


class Usuario(AbstractUser):
    """A person using the platform. One role with a territorial parameter (PRODUCT.md §2).

    A user with no role, or a territorial role with no territory, sees nothing: the scoping
    helper (``municipios.scoping``) fails closed.
    """

    rol = models.CharField(_("rol"), max_length=20, choices=Rol.choices, blank=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usuarios",
        verbose_name=_("región"),
        help_text=_("Solo para el equipo regional SERMIG."),
    )
    municipalidad = models.ForeignKey(
        "Municipalidad",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funcionarios",
        verbose_name=_("municipalidad"),
        help_text=_("Solo para funcionarios/as municipales."),
    )

    objects: ClassVar[UserManager["Usuario"]] = UserManager()  # type: ignore[assignment]
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        constraints = [
            # The territory must match the role; a missing territory is allowed (an account
            # being provisioned) and then sees nothing.
            models.CheckConstraint(
                condition=(
                    Q(rol=Rol.MUNICIPAL, region__isnull=True)
                    | Q(rol=Rol.REGIONAL, municipalidad__isnull=True)
                    | (~Q(rol__in=[Rol.MUNICIPAL, Rol.REGIONAL]) & Q(region__isnull=True, municipalidad__isnull=True))
                ),
                name="usuario_territorio_segun_rol",
            ),
        ]

    @property
    def es_sermig(self) -> bool:
        return self.rol in (Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR)


class Municipalidad(models.Model):
    """The municipality of a comuna, with its Oficina de Migrantes and its SERMIG contact."""

    TERRITORIO = "comuna"
    VISIBLE_A_EVALUADOR = True

    class Tratamiento(models.TextChoices):
        ALCALDE = "alcalde", _("Alcalde")
        ALCALDESA = "alcaldesa", _("Alcaldesa")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    comuna = models.OneToOneField(
        Comuna, on_delete=models.PROTECT, related_name="municipalidad", verbose_name=_("comuna")
    )
    nombre = models.CharField(_("nombre"), max_length=120)
    alcalde_nombre = models.CharField(_("nombre del alcalde o alcaldesa"), max_length=120, blank=True)
    alcalde_tratamiento = models.CharField(_("tratamiento"), max_length=10, choices=Tratamiento.choices, blank=True)
    oficina_nombre = models.CharField(
        _("unidad a cargo"),
        max_length=160,
        blank=True,
        help_text=_("Por ejemplo: Oficina de Migrantes e Interculturalidad."),
    )
    oficina_dependencia = models.CharField(
        _("dependencia"), max_length=120, blank=True, help_text=_("Por ejemplo: DIDECO.")
    )
    oficina_direccion = models.CharField(_("dirección"), max_length=200, blank=True)
    oficina_telefono = models.CharField(_("teléfono"), max_length=30, blank=True)
    oficina_email = models.EmailField(_("correo electrónico"), blank=True)
    encargado_nombre = models.CharField(_("encargado/a"), max_length=120, blank=True)
    encargado_email = models.EmailField(_("correo del encargado/a"), blank=True)
    encargado_telefono = models.CharField(_("teléfono del encargado/a"), max_length=30, blank=True)
    contacto_regional = models.ForeignKey(
        Usuario,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipalidades_contacto",
        limit_choices_to={"rol": Rol.REGIONAL},
        verbose_name=_("contacto regional SERMIG"),
    )
    version = models.PositiveIntegerField(_("versión"), default=1, editable=False)
    actualizado = models.DateTimeField(_("actualizado"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipalidad")
        verbose_name_plural = _("municipalidades")
        ordering = ["comuna_id"]

    def __str__(self) -> str:
        return self.nombre

    @property
    def oficina_completa(self) -> bool:
        return bool(self.oficina_nombre and self.oficina_email and self.encargado_nombre)
