# Shared by the shell test scripts (tests/cli, tests/audit, tests/guard): sourced, not run.
#
# harness_init NAME WELD [TOOL...]: makes WELD an absolute path in $weld, checks that it
# and each TOOL exist (otherwise prints why and the total `0 passed, 1 failed`, and exits
# 1), moves into a fresh temporary directory ($tmp, removed on exit) and zeroes the
# counters that ok and bad keep. A script sets $label before each check it reports.

harness_init() {
  local name=$1 tool
  weld=$2
  shift 2
  case "$weld" in /*) ;; *) weld="$(pwd)/$weld" ;; esac
  if [ ! -x "$weld" ]; then
    echo "$name: $weld not found" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "$name: $tool not found (tests/deps.sh installs it)" >&2
      echo "0 passed, 1 failed"
      exit 1
    fi
  done
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cd "$tmp" || exit 1
  passed=0 failed=0 label=""
}

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$label] $*"; }
