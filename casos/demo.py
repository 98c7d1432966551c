"""Demo cases: every type and state across the demo municipalities, some overdue, some
sensitive, with conversations. Built with the real services."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from . import services
from .models import Caso, Prioridad, TipoCaso, TramoEdad

PERSONAS = [
    # nombres, apellidos, tipo doc, número, país, sexo, nacimiento, tramo
    ("Wislande", "Joseph", "pasaporte", "HT-4471203", "HT", "mujer", date(1991, 3, 14), ""),
    ("Carlos Andrés", "Ramírez Peña", "run", "26.142.318-9", "VE", "hombre", date(1987, 7, 2), ""),
    ("Ana Lucía", "Quispe Mamani", "otro", "DNI 45871236", "PE", "mujer", None, TramoEdad.ADULTO_30_44),
    ("Jean", "Pierre Louis", "sin", "", "HT", "hombre", None, TramoEdad.NNA_14_17),
    ("María José", "Gómez", "ipe", "100.456.789-2", "CO", "mujer", date(2013, 9, 30), ""),
    ("Luis", "Fernández Rojas", "pasaporte", "BO-8823341", "BO", "hombre", date(1979, 1, 22), ""),
    ("Yuliana", "Pérez", "run", "25.876.543-5", "VE", "mujer", date(1995, 11, 5), ""),
    ("Mohamed", "Diallo", "pasaporte", "SN-0092817", "SN", "hombre", date(1990, 6, 18), ""),
]

# type, subtype, priority, description, final action path, overdue?
CASOS = [
    (
        TipoCaso.CONSULTA,
        "estado_solicitud",
        Prioridad.BAJA,
        "Consulta por el estado de su solicitud de residencia temporal.",
        ["derivar"],
        False,
    ),
    (
        TipoCaso.REGULARIZACION,
        "ingreso_clandestino",
        Prioridad.MEDIA,
        "Ingresó por paso no habilitado; necesita orientación para autodenunciarse.",
        ["derivar", "asignar"],
        False,
    ),
    (
        TipoCaso.NNA,
        "sin_documentos",
        Prioridad.ALTA,
        "Adolescente sin documentos, matriculado en liceo municipal.",
        ["derivar", "asignar", "solicitar_informacion"],
        False,
    ),
    (
        TipoCaso.VIOLENCIA,
        "pareja",
        Prioridad.URGENTE,
        "Mujer víctima de violencia de pareja; su permiso depende del agresor.",
        ["derivar", "asignar"],
        True,
    ),
    (
        TipoCaso.TRATA,
        "laboral",
        Prioridad.URGENTE,
        "Trabajador retenido en predio agrícola, sin pago ni documentos.",
        ["derivar"],
        True,
    ),
    (
        TipoCaso.REFUGIO,
        "solicitud",
        Prioridad.ALTA,
        "Solicita orientación para pedir refugio.",
        ["derivar", "asignar", "resolver"],
        False,
    ),
    (
        TipoCaso.REUNIFICACION,
        "hijos",
        Prioridad.MEDIA,
        "Busca reunificarse con sus hijos que están en su país.",
        ["derivar", "asignar", "resolver", "cerrar"],
        False,
    ),
    (
        TipoCaso.VULNERACION,
        "discriminacion",
        Prioridad.MEDIA,
        "Denuncia discriminación en la atención de un servicio público.",
        [],
        False,
    ),
    (
        TipoCaso.HUMANITARIA,
        "vivienda",
        Prioridad.ALTA,
        "Familia en situación de calle tras desalojo.",
        ["derivar", "asignar", "resolver", "cerrar", "reabrir"],
        False,
    ),
    (
        TipoCaso.SANCIONES,
        "multa",
        Prioridad.BAJA,
        "Consulta por multa por permanencia irregular.",
        ["derivar", "asignar", "solicitar_informacion", "responder"],
        False,
    ),
]

COMENTARIOS = {
    "solicitar_informacion": "Por favor adjunte copia del certificado de matrícula y de la declaración jurada.",
    "responder": "Se adjuntan los antecedentes solicitados.",
    "resolver": "Se orientó a la persona y se ingresó su solicitud en el sistema del SERMIG.",
    "reabrir": "La familia volvió a consultar: el albergue cerró.",
}


def sembrar_casos(usuarios: dict[str, Any]) -> list[Caso]:
    """Create the demo cases once (idempotent: nothing is created if cases exist)."""
    if Caso.objects.exists():
        return list(Caso.objects.all())
    hoy = timezone.localdate()
    creados = []
    municipales = [usuarios["muni.independencia"], usuarios["muni.quilicura"], usuarios["muni.valparaiso"]]
    regionales = {"13": usuarios["regional.rm"], "05": usuarios["regional.valparaiso"]}
    for indice, (tipo, subtipo, prioridad, descripcion, pasos, vencido) in enumerate(CASOS):
        municipal = municipales[indice % len(municipales)]
        nombres, apellidos, tipo_doc, numero, pais, sexo, nacimiento, tramo = PERSONAS[indice % len(PERSONAS)]
        persona = services.persona_registrar(
            usuario=municipal,
            nombres=nombres,
            apellidos=apellidos,
            tipo_documento=tipo_doc,
            numero_documento=numero,
            nacionalidad=pais,
            sexo=sexo,
            fecha_nacimiento=nacimiento,
            tramo_edad=tramo or TramoEdad.DESCONOCIDO,
            telefono="+56 9 5555 0000",
        )
        caso = services.caso_crear(
            usuario=municipal,
            persona=persona,
            tipo=tipo,
            subtipo=subtipo,
            prioridad=prioridad,
            canal="presencial",
            descripcion=descripcion,
            consentimiento=True,
            consentimiento_fecha=hoy - timedelta(days=3),
        )
        regional = regionales[municipal.municipalidad.comuna.region_id]
        for accion in pasos:
            actor = municipal if accion in ("derivar", "responder", "cerrar") else regional
            caso = services.caso_transicionar(
                caso=caso, accion=accion, usuario=actor, version=None, comentario=COMENTARIOS.get(accion, "")
            )
        if pasos and pasos[-1] not in ("cerrar",):
            services.mensaje_agregar(caso=caso, usuario=municipal, texto="La persona quedó atenta a novedades.")
        if "asignar" in pasos and caso.estado != "cerrado":
            services.mensaje_agregar(
                caso=caso, usuario=regional, texto="Revisar antecedentes con el equipo jurídico.", interno=True
            )
        if vencido:
            Caso.objects.filter(pk=caso.pk).update(plazo=timezone.now() - timedelta(hours=6))
        creados.append(caso)
    services.casos_marcar_vencidos(ahora=timezone.now())
    return creados
