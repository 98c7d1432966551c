"""Admin of the seal for SERMIG staff (registered on import by Django's autodiscovery).

- ``expedientes``: adhesions, evidence and certificates, region-scoped and read-only;
- ``configuracion``: the versioned catalogue and scoring rule (national staff, drafts only);
- ``nacional``: notifications and the workers' heartbeat (national staff only).
"""

from . import configuracion, expedientes, nacional

__all__ = ["configuracion", "expedientes", "nacional"]
