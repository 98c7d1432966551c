"""Audit the pinned dependencies (requirements.lock) with pip-audit and say plainly what happened.

- A known vulnerability: exit 1, always.
- Packages that could not be looked up (the advisory service is unreachable, as on machines
  that only reach a PyPI mirror): with ``--estricto`` (``make audit``) exit 1; otherwise
  (``make lint``) a loud "AUDITORÍA NO REALIZADA" notice and exit 0, so lint stays usable
  offline without pretending the audit passed.
"""

import json
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent


def main() -> int:
    estricto = "--estricto" in sys.argv[1:]
    proceso = subprocess.run(  # noqa: S603 (a fixed command line, no user input)
        [
            str(RAIZ / ".venv" / "bin" / "pip-audit"),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "-f",
            "json",
            "-r",
            str(RAIZ / "requirements.lock"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        informe = json.loads(proceso.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit no produjo un informe:\n{proceso.stderr[-2000:]}", file=sys.stderr)
        return 1
    dependencias = informe.get("dependencies", [])
    vulnerables = [d for d in dependencias if d.get("vulns")]
    omitidas = [d for d in dependencias if d.get("skip_reason")]
    for dependencia in vulnerables:
        ids = ", ".join(v["id"] for v in dependencia["vulns"])
        print(f"VULNERABLE: {dependencia['name']} {dependencia.get('version', '')}: {ids}", file=sys.stderr)
    if vulnerables:
        return 1
    revisadas = len(dependencias) - len(omitidas)
    if omitidas:
        print(
            f"pip-audit: AUDITORÍA NO REALIZADA para {len(omitidas)} de {len(dependencias)} paquetes: el servicio "
            "de avisos de PyPI no respondió (ver docs/operaciones.md). Ninguna vulnerabilidad conocida entre "
            f"los {revisadas} revisados.",
            file=sys.stderr,
        )
        return 1 if estricto else 0
    print(f"pip-audit: {revisadas} paquetes revisados, ninguna vulnerabilidad conocida.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
