#!/usr/bin/env bash
# examples/hybrid/run.sh [WELD]: builds the example's images and module into a temporary
# directory (a static program from tests/hybrid/svc.c in an OCI layout, tests/hybrid/agg.c
# for wasm32-wasi), runs the workflow (three requests, the diagnostics, the graph) and the
# pipeline, and takes both down. As root (runc); needs gcc, clang with a WASI libc, python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
weld="$(realpath "${1:-$root/build/weld}")"
work="$(mktemp -d)"
trap '"$weld" down csv-workflow >/dev/null 2>&1 || true; "$weld" down csv-pipeline >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cd "$work"
cp "$here/app.toml" "$here/pipeline.toml" .
gcc -static -O2 -o svc "$root/tests/hybrid/svc.c"
clang --target=wasm32-wasi -O2 -o agg.wasm "$root/tests/hybrid/agg.c"
python3 "$root/tests/hybrid/mkimage.py" svc oci/svc 1 svc

"$weld" up app.toml
"$weld" ps
for csv in $'name,value\nApple,3\npear,4\napple,5' $'name,value\n# a comment\nfig,10\n\nFIG,-2' $'name,value\nkiwi,7'; do
  printf '%s\n' "$csv" | python3 -c '
import sys, urllib.request
body = sys.stdin.read().encode()
print(urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:18480/", data=body)).read().decode(), end="")'
done
"$weld" diag
"$weld" diag --mermaid
"$weld" down csv-workflow

"$weld" up pipeline.toml
sleep 1
"$weld" logs shout
"$weld" diag csv-pipeline
"$weld" down csv-pipeline
