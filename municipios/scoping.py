"""The one place where territorial access is decided (PRODUCT.md §2).

Every read of territorial data - HTML views, admin, API, exports, tasks acting for a user -
goes through :func:`scoped` (or :func:`get_scoped_or_404`, which fetches *and* authorises).
It fails closed: an anonymous or inactive user, a user with no role, or a territorial role
without its territory gets an empty queryset.

A territorial model declares ``TERRITORIO``: the lookup path from the model to its
``Comuna`` (``"comuna"`` for models with a ``comuna`` foreign key). Models the Comité
Evaluador may read declare ``VISIBLE_A_EVALUADOR = True``; it never writes through here.
"""

from typing import Any, TypeVar

from django.contrib.admin import ModelAdmin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .models import Comuna, Rol

M = TypeVar("M", bound=Model)


def territorio_de(model: type[Model]) -> str:
    path = getattr(model, "TERRITORIO", None)
    if not path:
        raise ImproperlyConfigured(f"{model.__name__} has no TERRITORIO: it cannot be scoped by territory.")
    return str(path)


def scoped(user: Any, queryset: QuerySet[M], *, write: bool = False) -> QuerySet[M]:
    """Restrict ``queryset`` to the rows ``user`` may read (or, with ``write``, edit).

    A model whose territory is not a single comuna (a training invites several
    municipalities) declares ``filtro_alcance(user) -> Q | None`` instead of ``TERRITORIO``;
    it is applied here, after the same fail-closed checks, and ``None`` means nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    filtro_alcance = getattr(queryset.model, "filtro_alcance", None)
    if filtro_alcance is not None:
        condicion = filtro_alcance(user) if not write or getattr(user, "rol", "") != Rol.EVALUADOR else None
        return queryset.none() if condicion is None else queryset.filter(condicion)
    path = territorio_de(queryset.model)
    rol = getattr(user, "rol", "")
    if rol == Rol.NACIONAL:
        return queryset
    if rol == Rol.REGIONAL:
        if not user.region_id:
            return queryset.none()
        return queryset.filter(**{f"{path}__region_id": user.region_id})
    if rol == Rol.MUNICIPAL:
        if not user.municipalidad_id:
            return queryset.none()
        return queryset.filter(**{f"{path}_id": user.municipalidad.comuna_id})
    if rol == Rol.EVALUADOR and not write and getattr(queryset.model, "VISIBLE_A_EVALUADOR", False):
        return queryset
    return queryset.none()


def get_scoped_or_404(user: Any, queryset: QuerySet[M], *, write: bool = False, **lookup: Any) -> M:
    """Fetch one object within the user's territory; anything else is a 404, never its content."""
    try:
        return scoped(user, queryset, write=write).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:  # type: ignore[attr-defined]
        raise Http404(_("No encontrado.")) from exc


def comuna_de(obj: Model) -> Comuna:
    """The comuna an already fetched territorial object belongs to (no query if preloaded)."""
    target: Any = obj
    for part in territorio_de(type(obj)).split("__"):
        target = getattr(target, part)
    if not isinstance(target, Comuna):
        raise ImproperlyConfigured(f"TERRITORIO of {type(obj).__name__} does not reach a Comuna.")
    return target


def puede_ver(user: Any, obj: Model) -> bool:
    """Whether ``user`` may read ``obj`` (same rule as :func:`scoped`), without a query."""
    if (
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "rol", "") == Rol.EVALUADOR
        and getattr(type(obj), "VISIBLE_A_EVALUADOR", False)
    ):
        return True
    return puede_editar(user, obj)


def puede_editar(user: Any, obj: Model) -> bool:
    """Whether ``user`` may edit ``obj``, decided from its territory without a query."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    comuna = comuna_de(obj)
    rol = getattr(user, "rol", "")
    if rol == Rol.NACIONAL:
        return True
    if rol == Rol.REGIONAL:
        return bool(user.region_id) and comuna.region_id == user.region_id
    if rol == Rol.MUNICIPAL:
        return bool(user.municipalidad_id) and comuna.cut == user.municipalidad.comuna_id
    return False


class HistorialSoloLecturaMixin(ModelAdmin[Any]):
    """simple-history's version page saves a POSTed old version (a "revert") after checking only
    the *view* permission, and bypasses the services: history is read-only here, for everybody."""

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )
        return response


class ScopedAdminMixin(HistorialSoloLecturaMixin):
    """Admin for territorial models: the changelist and every object go through ``scoped``.

    SERMIG staff use the admin by role, not by Django's per-model permissions: national
    staff edit everything, regional staff edit their región, the Comité Evaluador reads.
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped(request.user, super().get_queryset(request))

    def _es_sermig(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_staff and user.rol in (Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._es_sermig(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Object-level check too: views that do not go through get_queryset (e.g. the
        # simple-history screens) must still refuse objects outside the territory.
        return self._es_sermig(request) and (obj is None or puede_ver(request.user, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        if not self._es_sermig(request) or user.rol == Rol.EVALUADOR:
            return False
        return obj is None or puede_editar(user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
