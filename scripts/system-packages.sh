#!/usr/bin/env bash
# Installs the system packages Polygres and its tests need, when they are missing.
# Debian/Ubuntu: apt-get, as root or through passwordless sudo; otherwise prints the exact
# command to run. macOS: prints the Homebrew command. Exit status 0 only when all are present.
set -euo pipefail

# Debian package -> a file that proves it is installed.
declare -A PROOF=(
  [postgresql-15]=/usr/lib/postgresql/15/bin/pg_ctl
  [postgresql-client-15]=/usr/lib/postgresql/15/bin/pgbench
  [pgbackrest]=/usr/bin/pgbackrest
  [etcd-server]=/usr/bin/etcd
  [etcd-client]=/usr/bin/etcdctl
  [pgbouncer]=/usr/sbin/pgbouncer
  [python3-psycopg2]=/usr/lib/python3/dist-packages/psycopg2
  [chromium]=/usr/bin/chromium
  [prometheus]=/usr/bin/promtool
  [gcc]=/usr/bin/gcc
  [libc6-dev]=/usr/include/stdio.h
  [bzip2]=/usr/bin/bzip2
  [nftables]=/usr/sbin/nft
  [iproute2]=/usr/sbin/ip
  [openssl]=/usr/bin/openssl
)
# python3-psycopg2 and libdbd-pg-perl are client drivers from other languages the gateway is
# tested with; chromium renders the status page in its test, prometheus brings promtool for
# the alert rules; gcc, libc6-dev and bzip2 unpack and compile the C functions of PostgreSQL's
# regression suite (scripts/postgres-regress-sources.sh); nftables, iproute2 and openssl run the
# Kubernetes pod sandbox (test/pod-sandbox: network namespaces, Service rules, Terraform's
# generated certificates).
PACKAGES=(postgresql-15 postgresql-client-15 pgbackrest etcd-server etcd-client pgbouncer python3-psycopg2 libdbd-pg-perl chromium prometheus gcc libc6-dev bzip2 nftables iproute2 openssl)

if [[ "$(uname -s)" == "Darwin" ]]; then
  missing=()
  for tool in etcd pgbackrest pgbouncer; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [[ -x /opt/homebrew/opt/postgresql@15/bin/pg_ctl || -x /usr/local/opt/postgresql@15/bin/pg_ctl ]] || missing+=(postgresql@15)
  if ((${#missing[@]})); then
    echo "Missing: ${missing[*]}. Install them with:"
    echo "  brew install ${missing[*]}"
    exit 1
  fi
  exit 0
fi

installed() {
  [[ -n "${PROOF[$1]:-}" && -e "${PROOF[$1]}" ]] && return 0
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done
((${#missing[@]})) || exit 0

if ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${missing[*]} (PostgreSQL 15 server and client, pgBackRest, etcd, PgBouncer)."
  echo "Install them with your package manager, then run this again."
  exit 1
fi

if [[ "$(id -u)" == 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo)
else
  echo "Missing system packages: ${missing[*]}. Install them with:"
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  exit 1
fi

echo "Installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  echo "apt-get could not install ${missing[*]}."
  echo "On Ubuntu releases without postgresql-15, add the PostgreSQL apt repository (https://wiki.postgresql.org/wiki/Apt) first."
  exit 1
fi
# The packages' own services are not ours: Polygres starts its own processes on its own ports.
for service in postgresql pgbouncer etcd prometheus prometheus-node-exporter; do
  "${SUDO[@]}" service "$service" stop >/dev/null 2>&1 || true
done
