#!/usr/bin/env bash
# Prepares PostgreSQL's own regression suite for the installed postgresql-15, for
# test/compatibility/postgres-regress.test.ts and bench/postgres-regress.ts:
#   - the sources of exactly the installed version, fetched with `apt-get source` (the
#     expected outputs must match the server that runs the tests);
#   - regress.so, autoinc.so and refint.so (the C functions the tests create), compiled
#     against the server headers of that same version.
# pg_regress itself ships in postgresql-client-15 (lib/pgxs/src/test/regress/pg_regress), so
# nothing else is built and no ./configure runs.
#
# Usage: postgres-regress-sources.sh [cache-dir]   (default: <repo>/.cache/postgres-regress)
# Prints the prepared directory on stdout as its last line: <dir>/regress holds sql/,
# expected/, data/ and parallel_schedule, <dir>/lib the shared libraries. A second run with
# a complete directory does nothing. Progress goes to stderr.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${1:-$repo/.cache/postgres-regress}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
pg_config=/usr/lib/postgresql/15/bin/pg_config

say() { echo "postgres-regress-sources: $*" >&2; }

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
  say "this script fetches Debian's or Ubuntu's postgresql-15 sources with apt; other systems are not supported"
  exit 1
fi
version="$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || true)"
if [[ -z "$version" || ! -x "$pg_config" ]]; then
  say "postgresql-15 and postgresql-client-15 must be installed first (scripts/system-packages.sh)"
  exit 1
fi
dir="$cache/$version"
if [[ -f "$dir/complete" ]]; then
  echo "$dir"
  exit 0
fi

if [[ "$(id -u)" == 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo)
else
  SUDO=(false)
fi

# apt finds a version's sources only through a deb-src entry, which Debian's images leave out.
# Add one for every enabled binary entry (deb822 .sources stanzas and one-line .list entries
# alike), so the sources come from the same archives, suites and keys as the installed package.
add_deb_src_entries() {
  local stanzas lines
  stanzas="$(for file in /etc/apt/sources.list.d/*.sources; do
    [[ -e "$file" && "$(basename "$file")" != polygres-src.sources ]] || continue
    # One stanza per paragraph: keep those whose Types has `deb` but not `deb-src`, with
    # Types rewritten; drop comments and disabled stanzas.
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
      {
        binary = 0; source = 0; disabled = 0; out = ""
        n = split($0, line, "\n")
        for (i = 1; i <= n; i++) {
          if (line[i] ~ /^#/) continue
          if (line[i] ~ /^Types:/) {
            if (line[i] ~ /[ \t]deb([ \t]|$)/) binary = 1
            if (line[i] ~ /deb-src/) source = 1
            line[i] = "Types: deb-src"
          }
          if (line[i] ~ /^Enabled:[ \t]*no/) disabled = 1
          out = out line[i] "\n"
        }
        if (binary && !source && !disabled) printf "%s\n", out
      }' "$file"
  done)"
  lines="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' || true)"
  if [[ -z "$stanzas" && -z "$lines" ]]; then
    say "no apt source entries found to derive deb-src entries from"
    exit 1
  fi
  say "adding deb-src entries for the configured archives (/etc/apt/sources.list.d/polygres-src.*)"
  if [[ -n "$stanzas" ]]; then printf '%s\n' "$stanzas" | "${SUDO[@]}" tee /etc/apt/sources.list.d/polygres-src.sources >/dev/null; fi
  if [[ -n "$lines" ]]; then printf '%s\n' "$lines" | "${SUDO[@]}" tee /etc/apt/sources.list.d/polygres-src.list >/dev/null; fi
  "${SUDO[@]}" apt-get update -qq >&2
}

downloads="$cache/downloads"
mkdir -p "$downloads"
cd "$downloads"

# 1. The sources of the installed version (the .dsc, the upstream tarball, Debian's changes).
if ! ls ./postgresql-15_"${version%%-*}".orig.tar.* >/dev/null 2>&1; then
  # (Not `| grep -q`: it quits at the first match, and pipefail would count the writer's SIGPIPE.)
  if ! grep -qx "Version: $version" <<<"$(apt-cache showsrc postgresql-15 2>/dev/null || true)"; then
    if [[ "${SUDO[0]:-}" == false ]]; then
      say "apt has no deb-src entry for postgresql-15 $version, and adding one needs root or passwordless sudo"
      exit 1
    fi
    add_deb_src_entries
  fi
  say "downloading the sources of postgresql-15 $version"
  apt-get source --download-only -qq "postgresql-15=$version" >&2
fi

# 2. The server headers of the same version. Installing postgresql-server-dev-15 would pull in
# clang and LLVM and, when the archive has a newer point release, upgrade the server; its
# files are only needed here, so the package is unpacked into the cache instead.
if ! ls ./postgresql-server-dev-15_*.deb >/dev/null 2>&1; then
  say "downloading postgresql-server-dev-15 $version (unpacked here, not installed)"
  apt-get download -qq "postgresql-server-dev-15=$version" >&2
fi

rm -rf "$dir"
mkdir -p "$dir/lib" "$dir/server-dev"
dpkg-deb -x ./postgresql-server-dev-15_*.deb "$dir/server-dev"
includes="$dir/server-dev/usr/include/postgresql/15/server"

# Only the regression suite and contrib/spi (autoinc, refint) are needed from the tree.
tarball="$(ls ./postgresql-15_"${version%%-*}".orig.tar.*)"
top="postgresql-${version%%-*}"
tar -xf "$tarball" -C "$dir" --no-same-owner --no-same-permissions "$top/src/test/regress" "$top/contrib/spi"
mv "$dir/$top/src/test/regress" "$dir/regress"

# The server's own compiler flags (-fwrapv, -fno-strict-aliasing, ... matter for correctness).
# REFINT_VERBOSE: refint's NOTICEs are in triggers' expected output (contrib/spi/Makefile sets it).
compile() {
  local source="$1" name="$2"
  shift 2
  # shellcheck disable=SC2046 # pg_config prints flag lists meant to be split
  gcc $("$pg_config" --cflags) $("$pg_config" --cflags_sl) "$@" -I"$includes" $("$pg_config" --cppflags) \
    -shared -o "$dir/lib/$name.so" "$source"
}
say "compiling regress.so, autoinc.so and refint.so"
compile "$dir/regress/regress.c" regress
compile "$dir/$top/contrib/spi/autoinc.c" autoinc
compile "$dir/$top/contrib/spi/refint.c" refint -DREFINT_VERBOSE

rm -rf "${dir:?}/$top" "$dir/server-dev"
touch "$dir/complete"
echo "$dir"
