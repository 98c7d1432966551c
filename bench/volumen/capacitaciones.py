"""Trainings (invitations, sessions, registrations, attendance, certificates, surveys) and
territorial devices (operativos), over the same five years as the cases, plus two months of
trainings still to come."""

import json
import random
import uuid
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field

from capacitaciones.models import (
    ASISTIO,
    Asistencia,
    Audiencia,
    Capacitacion,
    CertificadoCapacitacion,
    DispositivoTerritorial,
    Encuesta,
    EstadoAsistencia,
    EstadoInscripcion,
    Inscripcion,
    Invitacion,
    Modalidad,
    Organizador,
    Servicio,
    Sesion,
    Tema,
    TipoDispositivo,
)
from municipios.models import Municipalidad, Region

from . import comunas as territorio
from . import escala, personas, textos
from .copia import NULO, Copiador, dia, momento, siguiente_id
from .escala import Urna
from .usuarios import Personal

DIA = 86_400
FUTURO = 60 * DIA
ORGANIZADORES = Urna({Organizador.SERMIG_NACIONAL: 15, Organizador.SERMIG_REGIONAL: 45, Organizador.MUNICIPALIDAD: 40})
TEMAS = Urna(dict.fromkeys(Tema, 1))
MODALIDADES = Urna({Modalidad.PRESENCIAL: 55, Modalidad.VIRTUAL: 30, Modalidad.MIXTA: 15})
INSCRIPCIONES = Urna(
    {EstadoInscripcion.INSCRITA: 85, EstadoInscripcion.LISTA_ESPERA: 5, EstadoInscripcion.CANCELADA: 10}
)
ASISTENCIAS = Urna(
    {
        EstadoAsistencia.PRESENTE: 75,
        EstadoAsistencia.ATRASADO: 7,
        EstadoAsistencia.JUSTIFICADO: 6,
        EstadoAsistencia.AUSENTE: 12,
    }
)
DISPOSITIVOS = Urna({TipoDispositivo.BARRIO: 50, TipoDispositivo.MUJER: 30, TipoDispositivo.OTRO: 20})
ASISTIERON = frozenset(str(e) for e in ASISTIO)
AUDIENCIAS = list(Audiencia.values)
SERVICIOS = list(Servicio.values)


def token(rng: random.Random) -> str:
    """Like ``secrets.token_urlsafe(16)``, from the seeded generator."""
    return urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode()


@dataclass
class Filas:
    capacitaciones: list[str] = field(default_factory=list)
    invitaciones: list[str] = field(default_factory=list)
    sesiones: list[str] = field(default_factory=list)
    inscripciones: list[str] = field(default_factory=list)
    asistencias: list[str] = field(default_factory=list)
    certificados: list[str] = field(default_factory=list)
    encuestas: list[str] = field(default_factory=list)


@dataclass
class Contexto:
    rng: random.Random
    ahora: int
    personal: Personal
    municipalidades: list[tuple[int, str, str, str]]  # (id, cut, región, nombre)
    por_region: dict[str, list[tuple[int, str, str, str]]]
    regiones: dict[str, str]  # cut → nombre
    filas: Filas = field(default_factory=Filas)
    capacitacion_id: int = 0
    sesion_id: int = 0
    inscripcion_id: int = 0


def _organizacion(ctx: Contexto, organizador: str) -> tuple[str, str, int, str]:
    """(región or NULL, organising municipality or NULL, creator, who organises as text)."""
    rng, personal = ctx.rng, ctx.personal
    if organizador == Organizador.SERMIG_NACIONAL:
        return NULO, NULO, rng.choice(personal.nacionales), "Servicio Nacional de Migraciones"
    if organizador == Organizador.SERMIG_REGIONAL:
        region = rng.choice(list(ctx.regiones))
        return region, NULO, rng.choice(personal.regionales[region]), f"SERMIG {ctx.regiones[region]}"
    municipalidad_id, cut, _region, nombre = rng.choice(ctx.municipalidades)
    return NULO, str(municipalidad_id), personal.municipal[cut], nombre


def _invitadas(ctx: Contexto, organizador: str, region: str, organizadora: str) -> list[tuple[int, str, str, str]]:
    rng = ctx.rng
    if organizador == Organizador.SERMIG_NACIONAL:
        return rng.sample(ctx.municipalidades, rng.randint(10, 60))
    if organizador == Organizador.SERMIG_REGIONAL:
        propias = ctx.por_region[region]
        return rng.sample(propias, max(1, round(len(propias) * rng.uniform(0.3, 1.0))))
    propia = next(m for m in ctx.municipalidades if str(m[0]) == organizadora)
    vecinas = [m for m in ctx.por_region[propia[2]] if m != propia]
    return [propia, *rng.sample(vecinas, min(len(vecinas), rng.randint(0, 3)))]


def capacitacion(ctx: Contexto) -> None:
    """One training with everything that hangs from it."""
    rng, filas = ctx.rng, ctx.filas
    cap_id = ctx.capacitacion_id
    ctx.capacitacion_id += 1
    organizador = ORGANIZADORES.sacar(rng)
    region, organizadora, creador, organiza = _organizacion(ctx, organizador)
    dias = 365 * escala.ANIOS + FUTURO // DIA
    primera = ctx.ahora - 365 * escala.ANIOS * DIA + territorio.dia_creciente(rng, dias) * DIA + 13 * 3600
    n_sesiones, duracion = rng.randint(1, 4), rng.choice((2, 3, 4))
    inicios = [primera + i * 7 * DIA for i in range(n_sesiones)]
    creada = min(primera - rng.randint(10, 60) * DIA, ctx.ahora - 3600)
    tema = TEMAS.sacar(rng)
    cupo = rng.randint(20, 60)
    audiencias = json.dumps(rng.sample(AUDIENCIAS, rng.randint(1, 3)))
    minimo = rng.choice((60, 75, 75, 75, 80))
    titulo = textos.TEMAS_CAPACITACION[tema]
    filas.capacitaciones.append(
        f"{cap_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{titulo}\t{tema}\t{MODALIDADES.sacar(rng)}\t"
        f"Capacitación para equipos que atienden a personas migrantes.\t{organizador}\t{region}\t{organizadora}\t"
        f"{audiencias}\t{cupo}\t{n_sesiones * duracion}.0\t{minimo}\t{creador}\t{momento(creada)}\t1"
    )
    invitadas = _invitadas(ctx, organizador, region, organizadora)
    filas.invitaciones += [f"{cap_id}\t{m[0]}" for m in invitadas]
    sesiones = []
    for inicio in inicios:
        fin = inicio + duracion * 3600
        lugar = rng.choice(textos.LUGARES)
        filas.sesiones.append(f"{ctx.sesion_id}\t{cap_id}\t{momento(inicio)}\t{momento(fin)}\t{lugar}")
        sesiones.append((ctx.sesion_id, fin))
        ctx.sesion_id += 1
    pasadas = [(s, fin) for s, fin in sesiones if fin < ctx.ahora]
    terminada = len(pasadas) == len(sesiones)
    fechas = ", ".join(dia(i - 4 * 3600) for i in inicios)
    for j in range(rng.randint(8, min(40, cupo))):
        inscrita = _inscripcion(ctx, cap_id, j, invitadas, creada, primera, pasadas, creador)
        if terminada and inscrita is not None and 100 * inscrita[2] >= minimo * n_sesiones:
            _certificado(ctx, inscrita[:2], titulo, organiza, fechas, n_sesiones * duracion, sesiones[-1][1])


def _inscripcion(
    ctx: Contexto,
    cap_id: int,
    j: int,
    invitadas: list[tuple[int, str, str, str]],
    creada: int,
    primera: int,
    pasadas: list[tuple[int, int]],
    creador: int,
) -> tuple[int, str, int] | None:
    """A registration and its attendance; (id, name, sessions attended) when it stands."""
    rng, filas = ctx.rng, ctx.filas
    ins_id = ctx.inscripcion_id
    ctx.inscripcion_id += 1
    municipal = rng.random() < 0.85
    municipalidad = rng.choice(invitadas) if municipal else None
    institucion = municipalidad[3] if municipalidad else rng.choice(textos.INSTITUCIONES)
    nombre = f"{rng.choice(textos.NOMBRES_MUJER + textos.NOMBRES_HOMBRE)} {rng.choice(textos.APELLIDOS)}"
    run = personas.documento("run", ins_id + 5_000_000, "")[0] if rng.random() < 0.5 else ""
    estado = INSCRIPCIONES.sacar(rng)
    filas.inscripciones.append(
        f"{ins_id}\t{cap_id}\t{nombre}\t{run}\tparticipante{j}.{cap_id}@institucion.example.cl\t{institucion}\t"
        f"{rng.choice(AUDIENCIAS)}\t{municipalidad[0] if municipalidad else NULO}\t{estado}\t{token(rng)}\t"
        f"{momento(rng.randint(creada, max(creada, primera - 3600)))}"
    )
    if estado != EstadoInscripcion.INSCRITA:
        return None
    asistidas = 0
    for sesion_id, fin in pasadas:
        asistencia = ASISTENCIAS.sacar(rng)
        asistidas += asistencia in ASISTIERON
        filas.asistencias.append(f"{sesion_id}\t{ins_id}\t{asistencia}\t{creador}\t{momento(fin)}")
    return ins_id, nombre, asistidas


def _certificado(
    ctx: Contexto, inscrita: tuple[int, str], titulo: str, organiza: str, fechas: str, horas: int, fin: int
) -> None:
    """The certificate (and sometimes the survey) of a registration with enough attendance."""
    rng = ctx.rng
    ins_id, nombre = inscrita
    ctx.filas.certificados.append(
        f"{ins_id}\t{token(rng)}\t{nombre}\t{titulo}\t{organiza}\t{fechas}\t{horas}.0\t{dia(fin)}\t"
    )
    if rng.random() < 0.4:
        notas = "\t".join(str(rng.randint(3, 5)) for _ in range(4))
        respondida = min(ctx.ahora - 60, fin + rng.randint(1, 10) * DIA)
        ctx.filas.encuestas.append(f"{ins_id}\t{notas}\t\t{momento(respondida)}")


def dispositivos(ctx: Contexto, n: int, pesos: dict[str, float]) -> list[str]:
    rng = ctx.rng
    cuts = list(pesos)
    dias = 365 * escala.ANIOS
    filas = []
    # One type per comuna and month: ``capacitaciones.selectors.conteos_mensuales`` groups the
    # people attended by type too, and two types in a month give duplicate summary rows
    # (IntegrityError in ``resumenes_refrescar``; reported, to be fixed there).
    tipos: dict[tuple[str, str], str] = {}
    for cut in rng.choices(cuts, weights=[pesos[c] for c in cuts], k=n):
        fecha = ctx.ahora - dias * DIA + territorio.dia_creciente(rng, dias) * DIA
        tipo = tipos.setdefault((cut, dia(fecha)[:7]), DISPOSITIVOS.sacar(rng))
        total = rng.randint(20, 300)
        mujeres = round(total * rng.uniform(0.45, 0.65))
        otros = rng.randint(0, 3)
        hombres = max(0, total - mujeres - otros)
        servicios = json.dumps(rng.sample(SERVICIOS, rng.randint(1, 4)))
        filas.append(
            f"{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{tipo}\t{dia(fecha)}\t"
            f"{rng.choice(textos.LUGARES[:4])}\t{cut}\t{servicios}\t{', '.join(rng.sample(textos.INSTITUCIONES, 3))}\t"
            f"{mujeres}\t{hombres}\t{otros}\t{rng.randint(0, total // 4)}\t{rng.randint(0, total // 6)}\t"
            f"{ctx.personal.municipal[cut]}\t{momento(min(ctx.ahora - 60, fecha + DIA + 15 * 3600))}"
        )
    return filas


def sembrar(*, copiador: Copiador, personal: Personal, escala: escala.Escala, semilla: int, ahora: int) -> None:
    municipalidades = [
        (pk, cut, region, nombre)
        for pk, cut, region, nombre in Municipalidad.objects.order_by("comuna_id").values_list(
            "pk", "comuna_id", "comuna__region_id", "nombre"
        )
    ]
    por_region: dict[str, list[tuple[int, str, str, str]]] = {}
    for m in municipalidades:
        por_region.setdefault(m[2], []).append(m)
    ctx = Contexto(
        rng=random.Random(f"{semilla}:capacitaciones"),  # noqa: S311 - reproducible data, not secrets
        ahora=ahora,
        personal=personal,
        municipalidades=municipalidades,
        por_region=por_region,
        regiones=dict(Region.objects.values_list("cut", "nombre_corto")),
        capacitacion_id=siguiente_id(Capacitacion),
        sesion_id=siguiente_id(Sesion),
        inscripcion_id=siguiente_id(Inscripcion),
    )
    for _ in range(escala.capacitaciones):
        capacitacion(ctx)
    f = ctx.filas
    copiador.copiar(Capacitacion, COLUMNAS_CAPACITACION, f.capacitaciones)
    copiador.copiar(Invitacion, ["capacitacion_id", "municipalidad_id"], f.invitaciones)
    copiador.copiar(Sesion, ["id", "capacitacion_id", "inicio", "fin", "lugar"], f.sesiones)
    copiador.copiar(Inscripcion, COLUMNAS_INSCRIPCION, f.inscripciones)
    copiador.copiar(
        Asistencia, ["sesion_id", "inscripcion_id", "estado", "marcada_por_id", "marcada_en"], f.asistencias
    )
    copiador.copiar(CertificadoCapacitacion, COLUMNAS_CERTIFICADO, f.certificados)
    copiador.copiar(Encuesta, COLUMNAS_ENCUESTA, f.encuestas)
    pesos = {
        c.cut: float(max(1, c.casos))
        for c in territorio.repartir_casos(escala.casos, semilla=semilla, personal=personal)
    }
    copiador.copiar(DispositivoTerritorial, COLUMNAS_DISPOSITIVO, dispositivos(ctx, escala.dispositivos, pesos))


COLUMNAS_CAPACITACION = [
    "id", "uuid", "titulo", "tema", "modalidad", "descripcion", "organizador", "region_id",
    "municipalidad_organizadora_id", "audiencias", "cupo", "horas", "asistencia_minima", "creada_por_id",
    "creada_en", "version",
]  # fmt: skip
COLUMNAS_INSCRIPCION = [
    "id", "capacitacion_id", "nombre", "run", "email", "institucion", "unidad", "municipalidad_id", "estado",
    "token_encuesta", "creada_en",
]  # fmt: skip
COLUMNAS_CERTIFICADO = [
    "inscripcion_id", "codigo", "nombre", "titulo", "organiza", "fechas", "horas", "emitido_en", "motivo_revocacion",
]  # fmt: skip
COLUMNAS_ENCUESTA = ["inscripcion_id", "general", "contenidos", "relatores", "utilidad", "comentario", "respondida_en"]
COLUMNAS_DISPOSITIVO = [
    "uuid", "tipo", "fecha", "lugar", "comuna_id", "servicios", "instituciones", "mujeres", "hombres", "otros", "nna",
    "mayores_60", "registrado_por_id", "registrado_en",
]  # fmt: skip
