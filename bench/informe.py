"""How the figures are reported: the machine they were measured on, the console lines and
the Markdown of ``docs/benchmarks.md``."""

import os
import platform
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

from django.db import connection
from django.utils import timezone

from . import capacidad
from .base import Seccion


def _cpu() -> str:
    try:
        for linea in Path("/proc/cpuinfo").read_text().splitlines():
            if linea.startswith("model name"):
                return linea.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> str:
    try:
        for linea in Path("/proc/meminfo").read_text().splitlines():
            if linea.startswith("MemTotal:"):
                return f"{int(linea.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def maquina() -> list[tuple[str, str]]:
    """The machine and software the figures were measured on."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0] if connection.vendor == "postgresql" else connection.vendor
    usables = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("Date", timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
        ("CPU", _cpu()),
        ("Cores", f"{os.cpu_count()} ({usables} usable by this process)"),
        ("RAM", _ram_gb()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("PostgreSQL", postgres),
        ("Django / WeasyPrint", f"{version('django')} / {version('weasyprint')}"),
    ]


def consola(secciones: list[Seccion]) -> str:
    """Every ratio with its target and whether it is met, one line each."""
    lineas = []
    for seccion in secciones:
        for cifra in seccion.cifras:
            lineas.append(
                f"{seccion.titulo}: {cifra.nombre}: {cifra.texto_medido} "
                f"(target {cifra.texto_meta}, {cifra.origen_meta}) {cifra.texto_cumple}"
            )
    return "\n".join(lineas)


def markdown(
    secciones: list[Seccion],
    entorno: list[tuple[str, str]],
    *,
    datos: list[str] | None = None,
    generado: datetime | None = None,
) -> str:
    """The report: the machine, the data, a summary table of every ratio, then one part per
    benchmark."""
    generado = generado or timezone.localtime()
    partes = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {generado:%Y-%m-%d}. Every figure is a **ratio measured in the same run** "
        "against a floor (absolute times on shared machines are noise); the absolute times are given for "
        "information only.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {clave} | {valor} |" for clave, valor in entorno),
        "",
        *(["## Data", "", *(p + "\n" for p in datos)] if datos else []),
        "## Summary",
        "",
        "| Benchmark | Figure | Ratio | Target | Met |",
        "|---|---|---:|---:|---|",
    ]
    for seccion in secciones:
        for cifra in seccion.cifras:
            partes.append(
                f"| {seccion.titulo} | {cifra.nombre} | {cifra.texto_medido} | {cifra.texto_meta} "
                f"({cifra.origen_meta}) | {'yes' if cifra.cumple else '**no**'} |"
            )
    nota = capacidad.nota(secciones)
    if nota:
        partes += ["", *nota[:-1]]
    for seccion in secciones:
        partes += ["", f"## {seccion.titulo}", ""]
        for parrafo in seccion.metodo:
            partes += [parrafo, ""]
        partes += ["| Absolute (for information) | |", "|---|---:|"]
        partes += [f"| {clave} | {valor} |" for clave, valor in seccion.absolutos]
        if seccion.notas:
            partes += ["", *seccion.notas]
    return "\n".join(partes) + "\n"
