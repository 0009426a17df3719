#!/usr/bin/env bash
# tests/plan/run.sh WELD [INSTANCES]: `weld plan` against independent references
# (tests/plan/check.py: its own exhaustive search over the costs weld reports, the
# constraints it wrote, every node placement) and the manifest's error messages.
# Ends with `N passed, M failed[, K skipped]`.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
weld="${1:?usage: tests/plan/run.sh WELD [INSTANCES]}"
exec python3 "$root/tests/plan/check.py" "$weld" "${2:-160}"
