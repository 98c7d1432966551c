"""The document of everything the platform holds about one person (Ley 21.719: right of access
and portability), read for the JSON and PDF exports of ``casos.privacidad``.

What it contains: her data as registered; each of her cases (within the reader's territory)
with its description, resolution, state changes with their comments, the conversation, the
attachments' names (never the files) and the history of changes of the case; and the history
of changes of her own data (who changed what, when, old and new values).

Internal notes of SERMIG staff (decision, see docs/privacidad.md): notes written about her are
her personal data, so they are part of her access right - but they are confidential to SERMIG
and a municipality never reads them. The document a SERMIG officer exports includes them; the
one a municipal officer exports does not, and says so (``alcance``), so the complete answer to
an access request is given by SERMIG. The access log of her cases (when and through which
channel, the reader's role) is included only in exports made by national staff, the only ones
who read that log.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone
from django_countries import countries
from django_countries.fields import Country

from municipios.models import Rol
from municipios.scoping import scoped

from .models import SUBTIPOS, AccesoSensible, Caso, Mensaje, Persona, TransicionCaso

FORMATO = "sello-migrante/datos-persona"
VERSION = 1

CAMPOS_PERSONA = (
    "nombres",
    "apellidos",
    "tipo_documento",
    "numero_documento",
    "nacionalidad",
    "sexo",
    "fecha_nacimiento",
    "tramo_edad",
    "es_nna",
    "telefono",
    "email",
)
# Her history shows her data and its blocking; the case's, every field the case page shows.
HISTORIAL_PERSONA = (*CAMPOS_PERSONA, "bloqueada", "bloqueo_motivo", "anonimizada_en")
HISTORIAL_CASO = (
    "tipo",
    "subtipo",
    "prioridad",
    "canal",
    "descripcion",
    "sensible",
    "consentimiento",
    "consentimiento_fecha",
    "numero_solicitud_sermig",
    "estado",
    "derivado_en",
    "plazo",
    "resuelto_en",
    "resolucion",
)
TIPOS_HISTORIAL = {"+": "creación", "~": "modificación", "-": "eliminación"}
ETIQUETAS_SUBTIPO = {(tipo, codigo): nombre for tipo, subtipos in SUBTIPOS.items() for codigo, nombre in subtipos}


def valor(dato: Any) -> Any:
    """A JSON value: dates in ISO 8601 (local time), countries as their ISO code."""
    if isinstance(dato, datetime):
        return timezone.localtime(dato).isoformat()
    if isinstance(dato, date):
        return dato.isoformat()
    if isinstance(dato, Country | UUID):
        return str(dato)
    return dato


def nombre_de(usuario: Any) -> str | None:
    if usuario is None:
        return None
    return str(usuario.get_full_name() or usuario.username)


def es_sermig(usuario: Any) -> bool:
    return getattr(usuario, "rol", None) in (Rol.REGIONAL, Rol.NACIONAL)


def casos_de(*, persona: Persona, usuario: Any) -> list[Caso]:
    """Her cases within the reader's territory, with their timeline and conversation (internal
    notes for SERMIG staff only): five queries, whatever the number of cases."""
    mensajes = Mensaje.objects.select_related("autor", "adjunto").order_by("creado_en", "pk")
    if not es_sermig(usuario):
        mensajes = mensajes.filter(interno=False)
    casos = scoped(usuario, Caso.objects.filter(persona=persona).select_related("comuna"))
    return list(
        casos.order_by("creado_en", "pk").prefetch_related(
            Prefetch("transiciones", queryset=TransicionCaso.objects.select_related("usuario").order_by("fecha", "pk")),
            Prefetch("mensajes", queryset=mensajes),
        )
    )


def historial(registros: QuerySet[Any], campos: tuple[str, ...]) -> dict[int, list[dict[str, Any]]]:
    """The changes of each object (by id), oldest first, from its simple-history rows."""
    por_objeto: dict[int, list[dict[str, Any]]] = {}
    anteriores: dict[int, Model] = {}
    for registro in registros.select_related("history_user").order_by("id", "history_date", "history_id"):
        anterior = anteriores.get(registro.id)
        if anterior is None or registro.history_type == "+":
            antes = dict.fromkeys(campos)
        else:
            antes = {campo: getattr(anterior, campo) for campo in campos}
        cambios = [
            {"campo": campo, "antes": valor(antes[campo]), "despues": valor(getattr(registro, campo))}
            for campo in campos
            if getattr(registro, campo) != antes[campo] and not (antes[campo] is None and not getattr(registro, campo))
        ]
        por_objeto.setdefault(registro.id, []).append(
            {
                "fecha": valor(registro.history_date),
                "tipo": TIPOS_HISTORIAL.get(registro.history_type, registro.history_type),
                "usuario": nombre_de(registro.history_user),
                "motivo": registro.history_change_reason or "",
                "cambios": cambios,
            }
        )
        anteriores[registro.id] = registro
    return por_objeto


def _persona(persona: Persona) -> dict[str, Any]:
    return {
        "uuid": str(persona.uuid),
        "nombres": persona.nombres,
        "apellidos": persona.apellidos,
        "tipo_documento": persona.tipo_documento,
        "tipo_documento_etiqueta": persona.get_tipo_documento_display(),
        "numero_documento": persona.numero_documento,
        "nacionalidad": str(persona.nacionalidad),
        "nacionalidad_etiqueta": str(countries.name(persona.nacionalidad)) if persona.nacionalidad else "",
        "sexo": persona.sexo,
        "sexo_etiqueta": persona.get_sexo_display(),
        "fecha_nacimiento": valor(persona.fecha_nacimiento),
        "tramo_edad": persona.tramo_edad,
        "tramo_edad_etiqueta": persona.get_tramo_edad_display(),
        "es_nna": persona.es_nna,
        "telefono": persona.telefono,
        "email": persona.email,
        "comuna": {"cut": persona.comuna_id, "nombre": persona.comuna.nombre},
        "registrada_en": valor(persona.creada_en),
        "bloqueo": (
            {
                "bloqueada_en": valor(persona.bloqueada_en),
                "motivo": persona.bloqueo_motivo,
                "por": nombre_de(persona.bloqueada_por),
            }
            if persona.bloqueada
            else None
        ),
        "anonimizada_en": valor(persona.anonimizada_en),
    }


def _mensaje(mensaje: Mensaje) -> dict[str, Any]:
    adjunto = mensaje.adjunto
    return {
        "fecha": valor(mensaje.creado_en),
        "autor": nombre_de(mensaje.autor),
        "autor_rol": mensaje.autor.rol,
        "interno": mensaje.interno,
        "texto": mensaje.texto,
        # The name, type and size only: the file itself is not part of the export.
        "adjunto": (
            {"nombre": adjunto.nombre_original, "tipo": adjunto.tipo, "tamano": adjunto.tamano} if adjunto else None
        ),
    }


def _caso(caso: Caso, cambios: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uuid": str(caso.uuid),
        "folio": caso.folio,
        "comuna": {"cut": caso.comuna_id, "nombre": caso.comuna.nombre},
        "tipo": caso.tipo,
        "tipo_etiqueta": caso.get_tipo_display(),
        "subtipo": caso.subtipo,
        "subtipo_etiqueta": ETIQUETAS_SUBTIPO.get((caso.tipo, caso.subtipo), caso.subtipo),
        "prioridad": caso.prioridad,
        "canal": caso.canal,
        "canal_etiqueta": caso.get_canal_display(),
        "descripcion": caso.descripcion,
        "sensible": caso.sensible,
        "consentimiento": caso.consentimiento,
        "consentimiento_fecha": valor(caso.consentimiento_fecha),
        "numero_solicitud_sermig": caso.numero_solicitud_sermig,
        "estado": caso.estado,
        "estado_etiqueta": caso.get_estado_display(),
        "creado_en": valor(caso.creado_en),
        "derivado_en": valor(caso.derivado_en),
        "plazo": valor(caso.plazo),
        "resuelto_en": valor(caso.resuelto_en),
        "resolucion": caso.resolucion,
        "transiciones": [
            {
                "fecha": valor(t.fecha),
                "accion": t.accion,
                "desde": t.desde,
                "hasta": t.hasta,
                "usuario": nombre_de(t.usuario),
                "comentario": t.comentario,
            }
            for t in caso.transiciones.all()
        ],
        "mensajes": [_mensaje(m) for m in caso.mensajes.all()],
        "historial": cambios,
    }


def documento(*, persona: Persona, casos: list[Caso], usuario: Any) -> dict[str, Any]:
    """Her data, cases and histories as one JSON-ready dict (``casos`` from :func:`casos_de`).

    Queries: her history and her cases' history (two), and the access log for national staff."""
    nacional = getattr(usuario, "rol", None) == Rol.NACIONAL
    cambios_persona = historial(Persona.history.filter(id=persona.pk), HISTORIAL_PERSONA)
    cambios_casos = historial(Caso.history.filter(id__in=[c.pk for c in casos]), HISTORIAL_CASO) if casos else {}
    datos: dict[str, Any] = {
        "formato": FORMATO,
        "version": VERSION,
        "generado_en": valor(timezone.now()),
        "alcance": {
            "notas_internas": es_sermig(usuario),
            "registro_de_accesos": nacional,
            "nota": (
                "Incluye las notas internas del SERMIG."
                if es_sermig(usuario)
                else "Las notas internas del SERMIG sobre la persona no se incluyen: las entrega el SERMIG."
            ),
        },
        "persona": _persona(persona),
        "historial_persona": cambios_persona.get(persona.pk, []),
        "casos": [_caso(c, cambios_casos.get(c.pk, [])) for c in casos],
    }
    if nacional:
        accesos = AccesoSensible.objects.filter(caso__in=casos).select_related("caso", "usuario").order_by("fecha")
        datos["accesos"] = [
            {"fecha": valor(a.fecha), "folio": a.caso.folio, "via": a.via, "rol": a.usuario.rol} for a in accesos
        ]
    return datos
