#!/usr/bin/env bash
# Installs the Debian packages weld needs, if any is missing:
#
#   tests/deps.sh build    what building needs (`make run`, `make build`, `make install`)
#   tests/deps.sh [test]   that and what the tests and benchmarks use (`make test`)
set -euo pipefail
what="${1:-test}"
# binutils: ld and objcopy make the installable libweld.a (cmake/install.cmake).
# libcurl4-openssl-dev: weld pkg reaches OCI registries over HTTP (without it, weld builds
# and works with registry directories only).
# libarchive-dev: weld up unpacks container image layers (without it, container services
# are reported as not supported).
# libsodium-dev: weld pkg signs packages and checks signatures (ed25519).
# libmicrohttpd-dev: weld serve's HTTP server (without it, weld serve says it is not
# supported); libcurl also carries wasi:http's outgoing requests.
# Of these four (and libsqlite3-dev below) the build uses the headers: weld does not link
# the libraries but opens them when a command first needs them (docs/cli.md).
build_pkgs=(cmake make gcc libc6-dev binutils libcurl4-openssl-dev libarchive-dev libsodium-dev libmicrohttpd-dev)
# binaryen: wasm-opt makes the random modules of tests/diff and tests/fuzz/tierdiff.
# rustc, libstd-rust-dev-wasm32: the Rust programs of tests/wasi/rust (wasm32-wasi and native).
# llvm: llvm-dwarfdump and libxml2-utils: xmllint check backtraces' DWARF lines and the
# profiler's SVG (tests/trace).
# librsvg2-bin: rsvg-convert renders the profiler's flame graphs (tests/trace).
# linux-perf: tests/trace checks that `perf report` names guest functions from weld's perf map.
# gdb: tests/trace checks that gdb names them through the GDB JIT interface.
# python3: tests/component builds components byte by byte and extracts them from scripts;
# tests/plan generates applications and checks plans with it.
# libglpk-dev: multi-node placement (src/plan/nodes.c; optional for a build, tested here).
# libsqlite3-dev, sqlite3: the placement history (src/hybrid/history.c; optional for a
# build, tested here; tests/hybrid reads and writes it with the sqlite3 command).
# docker-registry, skopeo: tests/pkg publishes to a Distribution registry on loopback and
# cross-checks with skopeo.
# python3-prometheus-client: tests/hybrid parses weld's /metrics with it.
# graphviz: weld diag --png renders the interaction graph with its dot (tests/hybrid).
# runc: tests/hybrid runs the executor's containers (weld up needs it at run time).
# llvm-16-dev: the optimising tier (src/opt) is built and tested when llvm-config-16 is there.
test_pkgs=(clang lld wabt libclang-rt-14-dev nodejs wasi-libc libclang-rt-14-dev-wasm32 pkg-config
  rustc libstd-rust-dev-wasm32 binaryen llvm libxml2-utils python3 libglpk-dev docker-registry skopeo
  llvm-16-dev runc python3-prometheus-client linux-perf librsvg2-bin libsqlite3-dev sqlite3 graphviz gdb)
case "$what" in
  build) pkgs=("${build_pkgs[@]}") ;;
  test) pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *)
    echo "usage: tests/deps.sh [build|test]" >&2
    exit 2
    ;;
esac
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
for pkg in "${pkgs[@]}"; do
  have "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "deps: installing ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
