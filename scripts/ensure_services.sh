#!/usr/bin/env bash
# Starts PostgreSQL and Redis on 127.0.0.1 when they are not running (idempotent, no systemd).
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  version=$(ls /etc/postgresql | sort -n | tail -n 1)
  echo "Iniciando PostgreSQL ${version}..."
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL no respondió" >&2; exit 1; }
fi
# The suite connects as "postgres" over TCP; make sure that works (trust auth on this machine).
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  echo "No se pudo conectar a PostgreSQL como 'postgres' en 127.0.0.1:5432" >&2
  exit 1
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Iniciando Redis..."
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
  for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis no respondió" >&2; exit 1; }
fi
