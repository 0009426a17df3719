#!/usr/bin/env bash
# Installs what the benchmarks need from Debian's packages, if missing, and makes sure
# apt knows the source packages (`apt-get source` needs deb-src entries, which a fresh
# machine lacks: it lists binary packages only). Separate from tests/deps.sh on purpose:
# `make test` needs none of this.
set -euo pipefail
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

pkgs=(gcc clang lld nodejs wabt wasi-libc libclang-rt-14-dev-wasm32 gnuplot-nox tcl dpkg-dev)
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

# deb-src: mirror every deb822 "Types: deb" stanza of the system's sources as deb-src,
# once, in a file of our own (the system's files are left alone).
src_list=/etc/apt/sources.list.d/weld-bench-src.sources
updated=0
has_src() {
  grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! has_src; then
  echo "bench setup: adding deb-src entries ($src_list)"
  tmp="$(mktemp)"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # keep only stanzas from Debian's own archive
    awk 'BEGIN{RS=""; ORS="\n\n"} /URIs:[^\n]*debian/ && /Types:[^\n]*deb/ {sub(/Types:[^\n]*/, "Types: deb-src"); print}' "$f" >>"$tmp"
  done
  if [ -f /etc/apt/sources.list ]; then
    sed -nE 's/^deb (.*debian.*)$/deb-src \1/p' /etc/apt/sources.list >"${tmp}.one"
    if [ -s "${tmp}.one" ]; then
      src_list=/etc/apt/sources.list.d/weld-bench-src.list
      cat "${tmp}.one" >"$tmp"
    fi
    rm -f "${tmp}.one"
  fi
  $sudo_cmd install -m 644 "$tmp" "$src_list"
  rm -f "$tmp"
  $sudo_cmd apt-get update -qq
  updated=1
fi

need=()
for p in "${pkgs[@]}"; do have "$p" || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "bench setup: installing ${need[*]}"
  [ $updated = 1 ] || $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
