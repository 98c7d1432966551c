"""Demo trainings, operativos and good practices (PRODUCT.md §8), built with the real services.

Idempotent: each item is looked up by its title or name first and created only when missing.
Dates are relative to today, so the held training is always in the past and the upcoming one
in the future. Certificate PDFs are not rendered here but on first download (or by the batch
task): measured, this whole module takes ~0.3 s and rendering its 12 PDFs would add ~1.5 s.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from municipios.models import Municipalidad

from . import services
from .models import (
    BuenaPractica,
    Capacitacion,
    DispositivoTerritorial,
    EstadoAsistencia,
    Inscripcion,
    Modalidad,
    Servicio,
    Tema,
    TipoDispositivo,
)

MELIPILLA = "Regularización migratoria y atención de público para municipios de la provincia de Melipilla"
PROXIMA = "Interculturalidad y no discriminación en la atención municipal"
MUNICIPAL = "Atención de personas migrantes en la red municipal de Independencia"
CONSULTA = "Primera consulta ciudadana a personas migrantes y refugiadas"
MEDIADORES = "Programa de mediadores sociales interculturales"
FERIAS = "Orientación migrante en ferias libres"

# Melipilla province: Melipilla, Alhué, Curacaví, María Pinto, San Pedro.
PROVINCIA_MELIPILLA = ["13501", "13502", "13503", "13504", "13505"]
# Two participants per municipality: (name, unit). The second of Alhué missed a session.
PARTICIPANTES = {
    "13501": [("Camila Herrera Soto", "DIDECO"), ("Jorge Muñoz Reyes", "OMIL")],
    "13502": [("Patricia Lagos Vera", "DIDECO"), ("Héctor Silva Paredes", "CESFAM")],
    "13503": [("Francisca Olivares Díaz", "DIDECO"), ("Rodrigo Tapia Núñez", "Departamento de Educación")],
    "13504": [("Marcela Contreras Pino", "DIDECO"), ("Felipe Araya Campos", "OMIL")],
    "13505": [("Javiera Castro Rojas", "DIDECO"), ("Luis Fuentes Ortiz", "CESFAM")],
}
INASISTENTE = "hector.silva@alhue.demo.sello.example.cl"


@dataclass
class Resumen:
    capacitaciones: list[Capacitacion] = field(default_factory=list)
    certificados: int = 0
    dispositivos: list[DispositivoTerritorial] = field(default_factory=list)
    practicas: list[BuenaPractica] = field(default_factory=list)


SIN_TILDES = str.maketrans("áéíóúñ", "aeioun")


def _correo(nombre: str, comuna: str) -> str:
    """ "Héctor Silva Paredes", "Alhué" -> hector.silva@alhue.demo.sello.example.cl"""
    nombre_pila, apellido = nombre.lower().split()[:2]
    dominio = comuna.lower().replace(" ", "")
    return f"{nombre_pila}.{apellido}@{dominio}.demo.sello.example.cl".translate(SIN_TILDES)


def _asistencia(inscrita: Inscripcion, sesion_numero: int) -> str:
    if inscrita.email == INASISTENTE and sesion_numero == 1:
        return EstadoAsistencia.AUSENTE  # 1 of 2 sessions: below the 75% minimum, no certificate
    if inscrita.unidad == "CESFAM" and sesion_numero == 0:
        return EstadoAsistencia.ATRASADO  # late still counts as attended
    return EstadoAsistencia.PRESENTE


def _a_las(dia: Any, hora: int) -> datetime:
    return timezone.make_aware(datetime.combine(dia, time(hora, 0)))


def _sesion(capacitacion: Capacitacion, usuario: Any, dia: Any, lugar: str) -> Any:
    return services.sesion_agregar(
        capacitacion=capacitacion, usuario=usuario, inicio=_a_las(dia, 9), fin=_a_las(dia, 13), lugar=lugar
    )


def _capacitacion_melipilla(usuarios: dict[str, Any]) -> Capacitacion:
    """SERMIG RM's training for Melipilla province: two sessions held, attendance, certificates."""
    regional = usuarios["regional.rm"]
    municipalidades = {
        m.comuna_id: m for m in Municipalidad.objects.select_related("comuna").filter(comuna_id__in=PROVINCIA_MELIPILLA)
    }
    capacitacion = services.capacitacion_crear(
        usuario=regional,
        titulo=MELIPILLA,
        tema=Tema.REGULARIZACION,
        modalidad=Modalidad.PRESENCIAL,
        descripcion=(
            "Jornada del SERMIG Dirección Regional Metropolitana para los equipos municipales de la provincia: "
            "vías de regularización, estado de trámites en línea y atención de público con enfoque intercultural."
        ),
        audiencias=["dideco", "omil", "cesfam", "educacion"],
        cupo=30,
        horas=Decimal("8.0"),
        invitadas=[municipalidades[c] for c in PROVINCIA_MELIPILLA],
    )
    hoy = timezone.localdate()
    lugar = "Delegación Presidencial Provincial de Melipilla, Serrano 315"
    sesiones = [_sesion(capacitacion, regional, hoy - timedelta(days=dias), lugar) for dias in (45, 38)]
    inscritas = []
    for cut in PROVINCIA_MELIPILLA:
        municipalidad = municipalidades[cut]
        for nombre, unidad in PARTICIPANTES[cut]:
            inscritas.append(
                services.inscribir(
                    capacitacion=capacitacion,
                    usuario=regional,
                    nombre=nombre,
                    email=_correo(nombre, municipalidad.comuna.nombre),
                    institucion=municipalidad.nombre,
                    unidad=unidad,
                    municipalidad=municipalidad,
                )
            )
    for numero, sesion in enumerate(sesiones):
        marcas = {i.pk: _asistencia(i, numero) for i in inscritas}
        services.asistencia_marcar(sesion=sesion, usuario=regional, marcas=marcas)
    return capacitacion


def _capacitacion_proxima(usuarios: dict[str, Any]) -> Capacitacion:
    """An upcoming SERMIG RM training for Independencia and Quilicura, open for registration."""
    regional = usuarios["regional.rm"]
    independencia = Municipalidad.objects.get(comuna_id="13108")
    quilicura = Municipalidad.objects.get(comuna_id="13125")
    capacitacion = services.capacitacion_crear(
        usuario=regional,
        titulo=PROXIMA,
        tema=Tema.INTERCULTURALIDAD,
        modalidad=Modalidad.MIXTA,
        descripcion="Taller práctico sobre interculturalidad, trato no discriminatorio y uso de intérpretes.",
        audiencias=["dideco", "cesfam", "educacion"],
        cupo=25,
        horas=Decimal("4.0"),
        invitadas=[independencia, quilicura],
    )
    dia = timezone.localdate() + timedelta(days=21)
    _sesion(capacitacion, regional, dia, "SERMIG Dirección Regional Metropolitana, San Antonio 580, Santiago")
    for usuario, municipalidad, nombre, unidad in [
        (usuarios["muni.independencia"], independencia, "Sofía Ramírez Lillo", "CESFAM Independencia"),
        (usuarios["muni.quilicura"], quilicura, "Tomás Vergara Mella", "Oficina de Migrantes y Refugiados"),
    ]:
        services.inscribir(
            capacitacion=capacitacion,
            usuario=usuario,
            nombre=nombre,
            email=_correo(nombre, municipalidad.comuna.nombre),
            institucion=municipalidad.nombre,
            unidad=unidad,
            municipalidad=municipalidad,
        )
    return capacitacion


def _capacitacion_municipal(usuarios: dict[str, Any]) -> Capacitacion:
    """Independencia's own training with attendance: line 2 shows the platform's contribution."""
    municipal = usuarios["muni.independencia"]
    independencia = municipal.municipalidad
    capacitacion = services.capacitacion_crear(
        usuario=municipal,
        titulo=MUNICIPAL,
        tema=Tema.ATENCION,
        modalidad=Modalidad.PRESENCIAL,
        descripcion="Protocolo comunal de atención y derivación de personas migrantes para la red municipal.",
        audiencias=["dideco", "cesfam", "educacion"],
        cupo=20,
        horas=Decimal("3.0"),
    )
    sesion = _sesion(
        capacitacion, municipal, timezone.localdate() - timedelta(days=20), "Salón municipal, Av. Independencia 753"
    )
    inscritas = [
        services.inscribir(
            capacitacion=capacitacion,
            usuario=municipal,
            nombre=nombre,
            email=_correo(nombre, "independencia"),
            institucion=independencia.nombre,
            unidad=unidad,
            municipalidad=independencia,
        )
        for nombre, unidad in [
            ("Valentina Pizarro Cerda", "DIDECO"),
            ("Matías Gallardo Ruiz", "CESFAM Independencia"),
            ("Carolina Espinoza Vidal", "Departamento de Educación"),
            ("Andrés Morales Leiva", "OMIL"),
        ]
    ]
    marcas: dict[int, str] = {i.pk: EstadoAsistencia.PRESENTE for i in inscritas}
    marcas[inscritas[-1].pk] = EstadoAsistencia.JUSTIFICADO
    services.asistencia_marcar(sesion=sesion, usuario=municipal, marcas=marcas)
    return capacitacion


def _operativos(usuarios: dict[str, Any]) -> list[DispositivoTerritorial]:
    hoy = timezone.localdate()
    datos = [
        (
            usuarios["muni.independencia"],
            "13108",
            TipoDispositivo.BARRIO,
            hoy - timedelta(days=30),
            "Plaza Chacabuco, Independencia",
            [Servicio.ORIENTACION, Servicio.REGULARIZACION, Servicio.ENROLAMIENTO],
            "SERMIG, Registro Civil, PDI, CESFAM Independencia",
            (64, 51, 2, 18, 6),
        ),
        (
            usuarios["muni.valparaiso"],
            "05101",
            TipoDispositivo.MUJER,
            hoy - timedelta(days=60),
            "Centro de la Mujer de Valparaíso, Cerro Alegre",
            [Servicio.ORIENTACION, Servicio.REGULARIZACION, Servicio.SALUD],
            "SERMIG, SernamEG, Oficina Municipal de Migrantes",
            (47, 0, 1, 9, 3),
        ),
    ]
    creados = []
    for usuario, cut, tipo, fecha, lugar, servicios, instituciones, cifras in datos:
        existente = DispositivoTerritorial.objects.filter(comuna_id=cut, tipo=tipo, lugar=lugar).first()
        if existente is not None:
            creados.append(existente)
            continue
        mujeres, hombres, otros, nna, mayores_60 = cifras
        creados.append(
            services.dispositivo_registrar(
                usuario=usuario,
                comuna=usuario.municipalidad.comuna,
                tipo=tipo,
                fecha=fecha,
                lugar=lugar,
                servicios=[str(s) for s in servicios],
                instituciones=instituciones,
                mujeres=mujeres,
                hombres=hombres,
                otros=otros,
                nna=nna,
                mayores_60=mayores_60,
            )
        )
    return creados


PRACTICAS: list[tuple[str, dict[str, Any], bool]] = [
    (
        "muni.quilicura",
        {
            "nombre": CONSULTA,
            "anio_inicio": 2016,
            "responsable": "Oficina de Migrantes y Refugiados, DIDECO, Municipalidad de Quilicura",
            "base_legal": "Ley 18.695 Orgánica Constitucional de Municipalidades; ordenanza de participación.",
            "descripcion": (
                "Consulta ciudadana dirigida a las personas migrantes y refugiadas residentes en la comuna, "
                "la primera de su tipo en el país, para conocer sus necesidades y priorizar acciones municipales."
            ),
            "objetivos": (
                "Promover la participación de la población migrante y refugiada en la gestión local y "
                "orientar las políticas comunales según sus prioridades."
            ),
            "actividades": (
                "Difusión en creole y español; mesas de votación en sedes vecinales y consultorios; "
                "facilitadores interculturales; entrega pública de resultados."
            ),
            "indicadores": "Personas migrantes y refugiadas que participan; prioridades incorporadas al plan.",
            "medios_verificacion": "Actas de votación, informe de resultados, registro fotográfico.",
            "resultados": "Las prioridades consultadas se incorporaron al plan de trabajo de la Oficina de Migrantes.",
            "lineas": [3, 5],
        },
        True,
    ),
    (
        "muni.quilicura",
        {
            "nombre": MEDIADORES,
            "anio_inicio": 2017,
            "responsable": "Oficina de Migrantes y Refugiados, DIDECO, Municipalidad de Quilicura",
            "base_legal": "Convenio de colaboración con el Servicio de Salud Metropolitano Norte.",
            "descripcion": (
                "Mediadores y mediadoras sociales interculturales, hablantes de creole, acompañan a las personas "
                "migrantes en los servicios municipales, consultorios y escuelas de la comuna."
            ),
            "objetivos": "Reducir las barreras idiomáticas y culturales en el acceso a los servicios municipales.",
            "actividades": (
                "Selección y formación de mediadores; turnos en CESFAM y establecimientos educacionales; "
                "traducción de material informativo; acompañamiento en trámites."
            ),
            "indicadores": "Atenciones mediadas por mes; establecimientos con mediador asignado.",
            "medios_verificacion": "Registros de atención, contratos, informes mensuales.",
            "resultados": "Mayor acceso de familias haitianas a controles de salud y matrícula escolar.",
            "lineas": [1, 3],
        },
        True,
    ),
    (
        "muni.independencia",
        {
            "nombre": FERIAS,
            "anio_inicio": 2023,
            "responsable": "Oficina de Migrantes e Interculturalidad, DIDECO, Municipalidad de Independencia",
            "descripcion": (
                "Módulo itinerante de orientación migratoria en las ferias libres de la comuna, "
                "con apoyo del SERMIG y de organizaciones de migrantes."
            ),
            "objetivos": "Acercar la orientación migratoria a los barrios con mayor población migrante.",
            "actividades": "Calendario semanal en ferias libres; orientación sobre trámites; derivación a la oficina.",
            "indicadores": "Personas orientadas por jornada; derivaciones a la Oficina de Migrantes.",
            "lineas": [4, 5],
        },
        False,
    ),
]


def _practicas(usuarios: dict[str, Any]) -> list[BuenaPractica]:
    creadas = []
    for autor, datos, publicar in PRACTICAS:
        existente = BuenaPractica.objects.filter(nombre=datos["nombre"]).first()
        if existente is not None:
            creadas.append(existente)
            continue
        practica = services.buena_practica_enviar(usuario=usuarios[autor], datos=datos)
        if publicar:
            practica = services.buena_practica_revisar(practica=practica, usuario=usuarios["nacional"], publicar=True)
        creadas.append(practica)
    return creadas


@transaction.atomic
def sembrar_capacitaciones(usuarios: dict[str, Any]) -> Resumen:
    """The demo's trainings, operativos and good practices; only what is missing is created."""
    resumen = Resumen()
    for titulo, crear, realizada in [
        (MELIPILLA, _capacitacion_melipilla, True),
        (PROXIMA, _capacitacion_proxima, False),
        (MUNICIPAL, _capacitacion_municipal, True),
    ]:
        capacitacion = Capacitacion.objects.filter(titulo=titulo).first()
        if capacitacion is None:
            capacitacion = crear(usuarios)
        if realizada:
            # Idempotent: a participant never gets a second certificate.
            resumen.certificados += len(services.certificados_emitir(capacitacion=capacitacion))
        resumen.capacitaciones.append(capacitacion)
    resumen.dispositivos = _operativos(usuarios)
    resumen.practicas = _practicas(usuarios)
    return resumen
