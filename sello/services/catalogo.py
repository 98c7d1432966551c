"""Versioning of the catalogue of actions and of the scoring rule (national staff only).

A published version is never edited: national staff clone it into a draft, edit the draft and
publish it. New adhesions take the newest published versions; an adhesion keeps the versions
it started with, so publishing never rewrites a plan, a score or an evaluation already made.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from municipios.models import Rol

from ..errores import ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from ..models import AccionCatalogo, CatalogoVersion, Linea, ReglaPuntaje

CODIGO_MAX = CatalogoVersion._meta.get_field("codigo").max_length or 20


def _exigir_nacional(usuario: Any) -> None:
    if getattr(usuario, "rol", None) != Rol.NACIONAL or not getattr(usuario, "is_active", False):
        raise SinPermiso(_("Solo la coordinación nacional administra el catálogo y la regla de puntaje."))


def _codigo_libre(base: str) -> str:
    """``base-2``, ``base-3``… (within the field's length): the first code not yet used."""
    usados = set(CatalogoVersion.objects.values_list("codigo", flat=True))
    n = 2
    while True:
        sufijo = f"-{n}"
        codigo = f"{base[: CODIGO_MAX - len(sufijo)]}{sufijo}"
        if codigo not in usados:
            return codigo
        n += 1


@transaction.atomic
def catalogo_clonar(*, catalogo: CatalogoVersion, usuario: Any, codigo: str = "", nombre: str = "") -> CatalogoVersion:
    """Copy ``catalogo`` and its actions into a new, unpublished draft based on it."""
    _exigir_nacional(usuario)
    codigo = codigo.strip() or _codigo_libre(catalogo.codigo)
    if len(codigo) > CODIGO_MAX:
        raise ErrorDeNegocio(_("El código admite hasta %(n)d caracteres.") % {"n": CODIGO_MAX})
    if CatalogoVersion.objects.filter(codigo=codigo).exists():
        raise ErrorDeNegocio(_("Ya existe una versión del catálogo con el código «%(c)s».") % {"c": codigo})
    borrador = CatalogoVersion.objects.create(
        codigo=codigo,
        nombre=(nombre.strip() or _("%(nombre)s (borrador)") % {"nombre": catalogo.nombre})[:120],
        descripcion=catalogo.descripcion,
        basada_en=catalogo,
    )
    bulk_create_with_history(
        [
            AccionCatalogo(
                catalogo=borrador,
                linea=a.linea,
                codigo=a.codigo,
                nombre=a.nombre,
                descripcion=a.descripcion,
                medios_verificacion=a.medios_verificacion,
                obligatoria=a.obligatoria,
                orden=a.orden,
            )
            for a in catalogo.acciones.order_by("linea", "orden", "codigo")
        ],
        AccionCatalogo,
    )
    return borrador


@transaction.atomic
def catalogo_publicar(*, catalogo: CatalogoVersion, usuario: Any) -> CatalogoVersion:
    """Publish a draft: from now on new adhesions (and new revalidation cycles) use it."""
    _exigir_nacional(usuario)
    bloqueado = CatalogoVersion.objects.select_for_update().get(pk=catalogo.pk)
    if bloqueado.publicada_en is not None:
        raise TransicionNoPermitida(_("Esta versión del catálogo ya está publicada."))
    con_acciones = set(bloqueado.acciones.values_list("linea", flat=True))
    sin_acciones = [str(linea.label) for linea in Linea if linea.value not in con_acciones]
    if sin_acciones:
        mensaje = _("Cada línea necesita al menos una acción. Sin acciones: %(lineas)s.")
        raise ErrorDeNegocio(mensaje % {"lineas": ", ".join(sin_acciones)})
    bloqueado.publicada_en = timezone.now()
    bloqueado.save(update_fields=["publicada_en"])
    catalogo.publicada_en = bloqueado.publicada_en
    return bloqueado


def _entero(valor: Any) -> int | None:
    if isinstance(valor, bool):
        return None
    if isinstance(valor, int):
        return valor
    if isinstance(valor, str) and valor.strip().isdigit():
        return int(valor.strip())
    return None


def regla_errores(*, pesos: Any, minimos: Any, umbral: Any) -> list[str]:
    """What is wrong with a rule's numbers (empty when it may be published)."""
    errores = []
    claves = {str(linea.value) for linea in Linea}
    if (
        not isinstance(pesos, Mapping)
        or not isinstance(minimos, Mapping)
        or set(map(str, pesos)) != claves
        or set(map(str, minimos)) != claves
    ):
        errores.append(_("La regla debe tener un peso y un mínimo para cada una de las 5 líneas."))
        return errores
    valores_pesos = {str(k): _entero(v) for k, v in pesos.items()}
    valores_minimos = {str(k): _entero(v) for k, v in minimos.items()}
    for linea in Linea:
        peso = valores_pesos[str(linea.value)]
        minimo = valores_minimos[str(linea.value)]
        if peso is None or not 0 <= peso <= 100:
            errores.append(_("Línea %(n)d: el peso debe ser un entero entre 0 y 100.") % {"n": linea.value})
        if minimo is None or not 0 <= minimo <= 100:
            errores.append(_("Línea %(n)d: el mínimo debe ser un entero entre 0 y 100.") % {"n": linea.value})
    if not errores:
        suma = sum(v for v in valores_pesos.values() if v is not None)
        if suma != 100:
            errores.append(_("Los pesos de las líneas deben sumar 100 (suman %(s)d).") % {"s": suma})
    umbral_entero = _entero(umbral)
    if umbral_entero is None or not 0 <= umbral_entero <= 100:
        errores.append(_("El puntaje mínimo total debe estar entre 0 y 100."))
    return errores


@transaction.atomic
def regla_clonar(*, regla: ReglaPuntaje, usuario: Any) -> ReglaPuntaje:
    """Copy ``regla`` into a new unpublished draft with the next version number."""
    _exigir_nacional(usuario)
    siguiente = (ReglaPuntaje.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    return ReglaPuntaje.objects.create(
        version=siguiente,
        nombre=(_("%(nombre)s (borrador)") % {"nombre": regla.nombre})[:120],
        pesos=dict(regla.pesos),
        minimos=dict(regla.minimos),
        umbral=regla.umbral,
        no_aplica_excluye=regla.no_aplica_excluye,
    )


@transaction.atomic
def regla_publicar(*, regla: ReglaPuntaje, usuario: Any) -> ReglaPuntaje:
    """Publish a draft rule once its weights sum 100 and its minimums are within 0-100."""
    _exigir_nacional(usuario)
    bloqueada = ReglaPuntaje.objects.select_for_update().get(pk=regla.pk)
    if bloqueada.publicada_en is not None:
        raise TransicionNoPermitida(_("Esta regla ya está publicada."))
    errores = regla_errores(pesos=bloqueada.pesos, minimos=bloqueada.minimos, umbral=bloqueada.umbral)
    if errores:
        raise ErrorDeNegocio(" ".join(errores))
    bloqueada.publicada_en = timezone.now()
    bloqueada.save(update_fields=["publicada_en"])
    regla.publicada_en = bloqueada.publicada_en
    return bloqueada
