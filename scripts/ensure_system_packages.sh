#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing (idempotent).
#   run:  WeasyPrint's libraries and fonts
#   test: the same, plus poppler-utils (pdftotext), Chromium, PostgreSQL, Redis and wrk (load benchmark)
set -euo pipefail
profile="${1:-run}"
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core)
if [[ "$profile" == "test" ]]; then
  packages+=(poppler-utils chromium postgresql redis-server wrk)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} == 0 )); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Faltan paquetes del sistema: ${missing[*]}. Instálelos con: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Instalando paquetes del sistema: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
